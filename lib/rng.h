/*
 * rng — a small, seeded pseudo-random generator for synthetic data.
 *
 * xoshiro256** (Blackman and Vigna, 2018) seeded through splitmix64.
 * Not for secrets (lib/crypto.h is): its only virtue is that the same
 * seed gives the same numbers on every machine and every build, so a
 * synthetic data set is reproducible from its seed alone.
 *
 * Streams: rng_stream(seed, domain, index) gives an independent
 * generator per (domain, index), e.g. one per response.  What one
 * response draws then never depends on how many numbers another one
 * drew, so a change in one part of the generator does not reshuffle
 * everything after it, and the parts can be generated in any order.
 */
#ifndef MSP_RNG_H
#define MSP_RNG_H

#include <stdint.h>

struct rng {
	uint64_t s[4];
};

/* One step of splitmix64: advances *state and returns its output. */
uint64_t rng_splitmix64(uint64_t *state);

/* The generator of stream (domain, index) under seed. */
void rng_stream(struct rng *r, uint64_t seed, uint64_t domain,
		uint64_t index);

/* The next 64 random bits. */
uint64_t rng_next(struct rng *r);

/* Uniform in [0, 1), with 53 random bits. */
double rng_unit(struct rng *r);

/* Uniform in [0, n); 0 when n is 0.  The bias is below 2^-64 * n. */
uint64_t rng_below(struct rng *r, uint64_t n);

/* Uniform in [lo, hi] (inclusive); lo when hi < lo. */
int64_t rng_range(struct rng *r, int64_t lo, int64_t hi);

/* 1 with probability p, else 0. */
int rng_chance(struct rng *r, double p);

/*
 * An index in [0, n) drawn with probability weights[i] / sum; weights
 * must be >= 0.  When every weight is 0, uniform.
 */
unsigned rng_weighted(struct rng *r, const double *weights, unsigned n);

#endif
