package dev.prodlike.spring;

import static dev.prodlike.redis.RedisAssertions.assertThatCache;
import static dev.prodlike.redis.RedisAssertions.assertThatKey;
import static dev.prodlike.spring.SpringIntegrationTests.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.prodlike.redis.RedisEnvironment;
import dev.prodlike.redis.RedisSession;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.cache.RedisCacheManager;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The application's Spring cache in the test's Redis keyspace, as the test sees it right after the call. Spring Data
 * Redis 4 (Spring Boot 4) writes cache entries asynchronously by default: {@code @Cacheable} and {@code @CacheEvict}
 * return before Redis has the write. prodlike's key assertions and recorder wait for those writes, so they judge what
 * the application has done, not a moment of it. Here every command of the application crosses a slow link (its Lettuce
 * channel delays each write by {@value #LINK_DELAY_MS} ms), so an assertion that did not wait would always read too
 * early; on Spring Data Redis 3 the writes are synchronous and the same tests pass as well.
 */
class RedisCacheTests {

    static final long LINK_DELAY_MS = 300;

    /** An application with a Redis cache behind a slow network link, configured as production would be. */
    @SpringBootConfiguration
    @EnableCaching
    static class SlowLinkApplication {

        @Bean(destroyMethod = "shutdown")
        ClientResources slowLink() {
            return ClientResources.builder()
                    .nettyCustomizer(new NettyCustomizer() {
                        @Override
                        public void afterChannelInitialized(Channel channel) {
                            channel.pipeline().addFirst(new DelayWrites());
                        }
                    })
                    .build();
        }

        @Bean
        LettuceConnectionFactory redisConnectionFactory(ClientResources slowLink) {
            return new LettuceConnectionFactory(
                    new RedisStandaloneConfiguration("prices-cache.internal", 6379),
                    LettuceClientConfiguration.builder()
                            .clientResources(slowLink)
                            .build());
        }

        @Bean
        RedisCacheManager cacheManager(RedisConnectionFactory redis) {
            return RedisCacheManager.builder(redis).build(); // Spring Data Redis's default cache writer
        }

        @Bean
        Prices prices() {
            return new Prices();
        }
    }

    /** The cached service. */
    static class Prices {
        @Cacheable("prices")
        public String price(String sku) {
            return "9.99";
        }

        @CacheEvict("prices")
        public void changed(String sku) {}
    }

    /** Sends every write of the channel {@value #LINK_DELAY_MS} ms late, in order. */
    static final class DelayWrites extends ChannelOutboundHandlerAdapter {
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            ctx.executor().schedule(() -> ctx.writeAndFlush(msg, promise), LINK_DELAY_MS, TimeUnit.MILLISECONDS);
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {
            // each delayed write flushes itself
        }
    }

    @SpringBootTest(classes = SlowLinkApplication.class)
    @RedisSession(version = "7.0")
    static class CacheTestCase {

        @Autowired
        Prices prices;

        @Test
        void aCachedResultIsInTheKeyspaceWhenTheCallReturns(RedisEnvironment redis) {
            prices.price("sku-1");
            assertThatKey(redis, "prices::sku-1").exists();
        }

        @Test
        void anEvictionIsRecordedAsPartOfTheCallThatEvicts(RedisEnvironment redis) {
            prices.price("sku-1");
            prices.price("sku-2");
            assertThatCache(redis)
                    .whenRunning(() -> prices.changed("sku-1"))
                    .invalidated("prices::sku-1")
                    .didNotTouch("prices::sku-2");
            assertThatKey(redis, "prices::sku-1").doesNotExist();
        }

        @Test
        void aCacheHitTouchesNothing(RedisEnvironment redis) {
            prices.price("sku-1");
            assertThatCache(redis).whenRunning(() -> prices.price("sku-1")).touchedNothing();
        }
    }

    @Test
    void theKeyAssertionsAndTheRecorderWaitForTheApplicationsAsynchronousCacheWrites() {
        EngineExecutionResults results = run(CacheTestCase.class);
        assertThat(results.allEvents().failed().stream()
                        .map(e -> e.getPayload(TestExecutionResult.class)
                                .flatMap(TestExecutionResult::getThrowable)
                                .map(Throwable::getMessage)
                                .orElse(e.toString())))
                .isEmpty();
        results.testEvents().assertStatistics(s -> s.started(3).succeeded(3));
    }
}
