"""The recipes' PRNG (sfc32 seeded through splitmix32), bit for bit as packages/recipes/src/data/rng.ts,
so a recipe's seed gives the same data order and augmentations here as in the TensorFlow.js trainer.
All arithmetic is on unsigned 32-bit values; JavaScript's `| 0` and `>>> 0` only reinterpret them."""
import math

M32 = 0xFFFFFFFF


def splitmix32(x):
    x = (x + 0x9E3779B9) & M32
    z = ((x ^ (x >> 16)) * 0x85EBCA6B) & M32
    z = ((z ^ (z >> 13)) * 0xC2B2AE35) & M32
    return (z ^ (z >> 16)) & M32


class Rng:
    """A seeded stream: uniform, range, int, normal, beta, shuffle as rng.ts."""

    def __init__(self, seed):
        s = seed & M32
        self.a = splitmix32(s)
        self.b = splitmix32(self.a ^ 0x6A09E667)
        self.c = splitmix32(self.b ^ 0xBB67AE85)
        self.d = 1
        self.spare = None
        for _ in range(12):
            self.next()

    def next(self):
        a, b, c, d = self.a, self.b, self.c, self.d
        t = (a + b + d) & M32
        self.d = (d + 1) & M32
        self.a = b ^ (b >> 9)
        self.b = (c + (c << 3)) & M32
        c = ((c << 21) | (c >> 11)) & M32
        self.c = (c + t) & M32
        return t

    def uniform(self):
        return self.next() / 4294967296

    def range(self, lo, hi):
        return lo + (hi - lo) * self.uniform()

    def int(self, n):
        return math.floor(self.uniform() * n)

    def normal(self):
        if self.spare is not None:
            v, self.spare = self.spare, None
            return v
        u = 1 - self.uniform()
        r = math.sqrt(-2 * math.log(u))
        theta = 2 * math.pi * self.uniform()
        self.spare = r * math.sin(theta)
        return r * math.cos(theta)

    def beta(self, alpha):
        x = self._gamma(alpha)
        y = self._gamma(alpha)
        return 0.5 if x + y == 0 else x / (x + y)

    def _gamma(self, alpha):
        if alpha < 1:
            return self._gamma(alpha + 1) * math.pow(1 - self.uniform(), 1 / alpha)
        d = alpha - 1 / 3
        c = 1 / math.sqrt(9 * d)
        while True:
            while True:
                x = self.normal()
                v = 1 + c * x
                if v > 0:
                    break
            v = v * v * v
            u = 1 - self.uniform()
            if math.log(u) < 0.5 * x * x + d - d * v + d * math.log(v):
                return d * v

    def shuffle(self, a):
        for i in range(len(a) - 1, 0, -1):
            j = self.int(i + 1)
            a[i], a[j] = a[j], a[i]
        return a


def rng_for(seed, *keys):
    """The independent stream of (seed, *keys), as rngFor in rng.ts."""
    h = splitmix32(seed & M32)
    for k in keys:
        h = splitmix32((h ^ ((k & M32) * 0x27D4EB2D & M32)) & M32)
    return Rng(h)
