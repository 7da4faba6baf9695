"""The fixtures' tiny IDX data set: 8x8 images, 4 classes, 120 training and 40 test images, in ./data.
Class k lights the row band 2k..2k+1 over noise, so two epochs learn it imperfectly."""
import os, random, struct

random.seed(11)
ROWS = COLS = 8
CLASSES = 4


def write(prefix, n):
    labels = [i % CLASSES for i in range(n)]
    random.shuffle(labels)
    pixels = bytearray()
    for label in labels:
        for r in range(ROWS):
            for c in range(COLS):
                v = random.randint(0, 170)
                if r // 2 == label:
                    v = random.randint(90, 230)
                if c == label + 3 and r % 3 == 0:
                    v = min(255, v + 80)
                pixels.append(v)
    with open(f"data/{prefix}-images-idx3-ubyte", "wb") as f:
        f.write(struct.pack(">iiii", 0x803, n, ROWS, COLS) + bytes(pixels))
    with open(f"data/{prefix}-labels-idx1-ubyte", "wb") as f:
        f.write(struct.pack(">ii", 0x801, n) + bytes(labels))


os.makedirs("data", exist_ok=True)
write("train", 120)
write("t10k", 40)
