package dev.prodlike.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.platform.testkit.engine.EngineTestKit;

/** Each issuer fault as an HTTP client sees it, composition, and the end of faults with their test. */
@JwtIssuer
class IssuerFaultsTests {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static HttpResponse<String> get(URI uri, Duration timeout) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(uri).timeout(timeout).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @JwtIssuer
    void anOutageRefusesConnectionsUntilItEndsThenTheSamePortAnswers(TestTokens tokens) throws Exception {
        URI jwks = tokens.jwksUri();
        try (IssuerFault outage = tokens.outage()) {
            assertThat(outage.isActive()).isTrue();
            assertThatThrownBy(() -> get(jwks, Duration.ofSeconds(5))).isInstanceOf(ConnectException.class);
            assertThatThrownBy(() -> get(tokens.discoveryUri(), Duration.ofSeconds(5)))
                    .isInstanceOf(ConnectException.class);
        }
        HttpResponse<String> back = get(jwks, Duration.ofSeconds(5));
        assertThat(back.statusCode()).isEqualTo(200);
        assertThat(back.body()).isEqualTo(tokens.jwksJson());
    }

    @Test
    @JwtIssuer
    void aHangHoldsRequestsUntilItEndsThenAnswersThem(TestTokens tokens) throws Exception {
        URI jwks = tokens.jwksUri();
        int before = tokens.faults().jwksRequests();
        CompletableFuture<HttpResponse<String>> held;
        try (IssuerFault hang = tokens.faults().hang()) {
            assertThatThrownBy(() -> get(jwks, Duration.ofMillis(300))).isInstanceOf(HttpTimeoutException.class);
            held = HTTP.sendAsync(HttpRequest.newBuilder(jwks).GET().build(), HttpResponse.BodyHandlers.ofString());
            while (tokens.faults().jwksRequests() < before + 2) {
                Thread.sleep(10); // until the server holds the second request
            }
            assertThat(held).isNotDone();
        }
        assertThat(held.get().statusCode()).isEqualTo(200);
        assertThat(held.get().body()).isEqualTo(tokens.jwksJson());
    }

    @Test
    @JwtIssuer
    void latencyDelaysEveryAnswer(TestTokens tokens) throws Exception {
        URI discovery = tokens.discoveryUri();
        try (IssuerFault slow = tokens.faults().latency(Duration.ofMillis(400))) {
            long start = System.nanoTime();
            assertThat(get(discovery, Duration.ofSeconds(30)).statusCode()).isEqualTo(200);
            // a lower bound only: the fault's own delay, whatever the machine's load
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
            assertThatThrownBy(() -> get(discovery, Duration.ofMillis(100))).isInstanceOf(HttpTimeoutException.class);
        }
        assertThat(tokens.faults().discoveryRequests()).isEqualTo(2);
    }

    @Test
    @JwtIssuer
    void errorsAnswerEveryRequestWithTheStatusAndComposeWithLatency(TestTokens tokens) throws Exception {
        try (IssuerFault failing = tokens.faults().errors(500)) {
            HttpResponse<String> answer = get(tokens.jwksUri(), Duration.ofSeconds(30));
            assertThat(answer.statusCode()).isEqualTo(500);
            assertThat(answer.body()).isEqualTo("{\"error\":\"500\"}");
            try (IssuerFault unavailable = tokens.faults().errors(503);
                    IssuerFault slow = tokens.faults().latency(Duration.ofMillis(200))) {
                long start = System.nanoTime();
                assertThat(get(tokens.discoveryUri(), Duration.ofSeconds(30)).statusCode())
                        .isEqualTo(503);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
            }
            assertThat(get(tokens.jwksUri(), Duration.ofSeconds(30)).statusCode())
                    .isEqualTo(500);
        }
        assertThat(get(tokens.jwksUri(), Duration.ofSeconds(30)).statusCode()).isEqualTo(200);
    }

    @Test
    @JwtIssuer
    void refuseWinsOverAHangAndClosingTwiceIsHarmless(TestTokens tokens) throws Exception {
        URI jwks = tokens.jwksUri();
        IssuerFault hang = tokens.faults().hang();
        try (IssuerFault outage = tokens.outage()) {
            assertThatThrownBy(() -> get(jwks, Duration.ofSeconds(5))).isInstanceOf(ConnectException.class);
            outage.close();
            assertThat(outage.isActive()).isFalse();
            assertThatThrownBy(() -> get(jwks, Duration.ofMillis(300))).isInstanceOf(HttpTimeoutException.class);
        }
        hang.close();
        assertThat(get(jwks, Duration.ofSeconds(30)).statusCode()).isEqualTo(200);
    }

    @Test
    void badArgumentsSayWhatToPass(TestTokens tokens) {
        assertThatThrownBy(() -> tokens.faults().latency(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("latency needs a positive delay, but got PT0S; for no answer at all use hang()");
        assertThatThrownBy(() -> tokens.faults().errors(200))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("errors needs an HTTP error status (400-599), such as 500 or 503, but got 200");
    }

    @Test
    void aForgottenFaultEndsWithItsTest() {
        EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(ForgottenFaultTestCase.class))
                .execute()
                .testEvents()
                .assertStatistics(stats -> stats.started(2).succeeded(2));
        assertThat(ForgottenFaultTestCase.forgotten.get().isActive()).isFalse();
    }

    @Test
    void aMethodLevelIssuersFaultEndsWhenItCloses() {
        EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(MethodIssuerTestCase.class))
                .execute()
                .testEvents()
                .assertStatistics(stats -> stats.started(1).succeeded(1));
        assertThat(MethodIssuerTestCase.forgotten.get().isActive()).isFalse();
    }

    @JwtIssuer
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class ForgottenFaultTestCase {
        static final AtomicReference<IssuerFault> forgotten = new AtomicReference<>();

        @Test
        @Order(1)
        void forgetsToEndAnOutage(TestTokens tokens) {
            forgotten.set(tokens.outage());
        }

        @Test
        @Order(2)
        void getsTheKeySet(TestTokens tokens) throws Exception {
            assertThat(forgotten.get().isActive()).isFalse();
            assertThat(get(tokens.jwksUri(), Duration.ofSeconds(30)).statusCode())
                    .isEqualTo(200);
        }
    }

    static class MethodIssuerTestCase {
        static final AtomicReference<IssuerFault> forgotten = new AtomicReference<>();

        @Test
        @JwtIssuer
        void forgetsToEndAHang(TestTokens tokens) {
            forgotten.set(tokens.faults().hang());
        }
    }
}
