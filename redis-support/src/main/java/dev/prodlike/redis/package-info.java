/**
 * Redis for production-like integration tests: {@link dev.prodlike.redis.RedisSession} runs tests against Redis of
 * the production version with a keyspace of their own, {@link dev.prodlike.redis.RedisAssertions} observes cache
 * invalidation and checks keys and sessions, {@link dev.prodlike.redis.RedisFaults} injects faults.
 *
 * @since 0.1.0
 */
package dev.prodlike.redis;
