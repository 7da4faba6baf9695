# Writes the tiny IDX data set of the store fixtures: 10x10 images, 10 classes, 200 training and 50 test
# examples; class k lights row k, except every 6th test image, which lights another row (so the
# trained networks make a few mistakes the store records).
import gzip, random, struct
rng = random.Random(20241202)
def write(prefix, n, noisy):
    labels = [i % 10 for i in range(n)]
    rng.shuffle(labels)
    pixels = bytearray()
    for i, k in enumerate(labels):
        lit = (k + 1 + rng.randrange(9)) % 10 if noisy and i % 6 == 0 else k
        for r in range(10):
            for c in range(10):
                pixels.append(200 + rng.randrange(56) if r == lit else rng.randrange(40))
    with gzip.GzipFile(prefix + '-images-idx3-ubyte.gz', 'wb', mtime=0) as f:
        f.write(struct.pack('>iiii', 0x803, n, 10, 10) + bytes(pixels))
    with gzip.GzipFile(prefix + '-labels-idx1-ubyte.gz', 'wb', mtime=0) as f:
        f.write(struct.pack('>ii', 0x801, n) + bytes(labels))
write('train', 200, False)
write('t10k', 50, True)
