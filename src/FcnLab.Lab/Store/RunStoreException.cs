using FcnLab.Engine;

namespace FcnLab.Lab.Store;

/// <summary>The run store's server could not be reached or refused a statement; not the trial's fault, so never recorded as its failure.</summary>
public sealed class RunStoreException(string message, Exception inner) : FcnLabException(message, inner);
