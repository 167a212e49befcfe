/*
 * rng — xoshiro256** seeded through splitmix64.
 *
 * Both algorithms as published at https://prng.di.unimi.it/ (public
 * domain reference code by David Blackman and Sebastiano Vigna).
 */
#include "config.h"

#include "rng.h"

uint64_t
rng_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

void
rng_stream(struct rng *r, uint64_t seed, uint64_t domain, uint64_t index)
{
	uint64_t h = seed;
	int i;

	/*
	 * Mix each part in through splitmix64's finaliser, so that nearby
	 * (domain, index) pairs give unrelated states; xoshiro must not
	 * start from all zeros, which splitmix64's outputs never are
	 * four times in a row.
	 */
	h = rng_splitmix64(&h) ^ domain;
	h = rng_splitmix64(&h) ^ index;
	h = rng_splitmix64(&h);
	for (i = 0; i < 4; i++)
		r->s[i] = rng_splitmix64(&h);
}

static inline uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t
rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	const uint64_t result = rotl(s[1] * 5, 7) * 9;
	const uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double
rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

uint64_t
rng_below(struct rng *r, uint64_t n)
{
	uint64_t x, threshold;

	if (n == 0)
		return 0;
	/* Reject the lowest 2^64 mod n values, so that every residue is
	 * equally likely (as OpenBSD's arc4random_uniform does). */
	threshold = (0 - n) % n;
	do
		x = rng_next(r);
	while (x < threshold);
	return x % n;
}

int64_t
rng_range(struct rng *r, int64_t lo, int64_t hi)
{
	if (hi <= lo)
		return lo;
	/* hi - lo fits in uint64_t even across the whole int64_t range. */
	return (int64_t)((uint64_t)lo +
			 rng_below(r, (uint64_t)hi - (uint64_t)lo + 1));
}

int
rng_chance(struct rng *r, double p)
{
	return rng_unit(r) < p;
}

unsigned
rng_weighted(struct rng *r, const double *weights, unsigned n)
{
	double total = 0, u;
	unsigned i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		total += weights[i];
	if (!(total > 0))
		return (unsigned)rng_below(r, n);
	u = rng_unit(r) * total;
	for (i = 0; i < n - 1; i++) {
		if (u < weights[i])
			return i;
		u -= weights[i];
	}
	/* Rounding may leave u just above the last weight. */
	while (i > 0 && weights[i] <= 0)
		i--;
	return i;
}
