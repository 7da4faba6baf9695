// The namespaces most commands use, imported once for the whole CLI.
global using System.CommandLine;
global using System.Globalization;
global using System.Text.Json;
global using FcnLab.Engine;
global using FcnLab.Engine.Data;
global using FcnLab.Engine.Models;
global using FcnLab.Engine.Training;
global using FcnLab.Lab.Reports;
global using FcnLab.Lab.Runs;
global using FcnLab.Lab.Store;
global using FcnLab.Lab.Sweeps;
