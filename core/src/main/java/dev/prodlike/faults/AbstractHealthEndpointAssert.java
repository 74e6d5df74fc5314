package dev.prodlike.faults;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apiguardian.api.API;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions about a health endpoint under a network fault: that it answers within a bound (a health check that
 * hangs with its dependency is itself an outage: load balancers and orchestrators give up on the whole instance) and
 * what it says. Works with any endpoint answering JSON with a top-level {@code "status"}, as Spring Boot Actuator's
 * {@code /actuator/health} does.
 *
 * <pre>{@code
 * try (Fault hung = db.faults().network().hang()) {
 *     assertThatHealthEndpoint(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
 *         .answersWithin(Duration.ofSeconds(5)).isDown().hasComponentStatus("db", "DOWN");
 * }
 * }</pre>
 *
 * @param <SELF> the concrete assertion
 * @since 0.1.0
 */
@API(status = API.Status.EXPERIMENTAL, since = "0.1.0")
public abstract class AbstractHealthEndpointAssert<SELF extends AbstractHealthEndpointAssert<SELF>>
        extends AbstractAssert<SELF, URI> {

    /** How long a check waits when {@link #answersWithin(Duration)} was not called first. */
    private static final Duration DEFAULT_BOUND = Duration.ofSeconds(30);

    private static final Pattern STRING_VALUE = Pattern.compile("\\s*:\\s*\"([^\"]*)\"");

    private HttpResponse<String> response;

    /**
     * @param endpoint the endpoint
     * @param selfType the concrete assertion's class
     */
    protected AbstractHealthEndpointAssert(URI endpoint, Class<?> selfType) {
        super(endpoint, selfType);
    }

    /**
     * Asks the endpoint (GET) and verifies that it answers within {@code bound}, whatever it says.
     *
     * @param bound at most this long
     * @return this
     */
    public SELF answersWithin(Duration bound) {
        isNotNull();
        HttpClient client = HttpClient.newBuilder().connectTimeout(bound).build();
        HttpRequest request = HttpRequest.newBuilder(actual)
                .timeout(bound)
                .header("Accept", "application/json")
                .GET()
                .build();
        long t0 = System.nanoTime();
        CompletableFuture<HttpResponse<String>> answer =
                client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
        try {
            response = answer.get(bound.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            answer.cancel(true);
            failNotAnswered(bound, t0);
        } catch (ExecutionException e) {
            // the client's own timeouts and the wait above race for the same fact: one message for both
            if (e.getCause() instanceof HttpTimeoutException) {
                failNotAnswered(bound, t0);
            }
            failWithMessage(
                    "Expecting the health endpoint %s to answer but asking it failed: %s", actual, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failWithMessage("Interrupted while asking the health endpoint %s", actual);
        }
        return myself;
    }

    private void failNotAnswered(Duration bound, long t0) {
        failWithMessage(
                "Expecting the health endpoint %s to answer within %s but it had not after %s: a health"
                        + " check that waits for a hung dependency hangs with it. Bound it (e.g. a query timeout on the"
                        + " database check, a command timeout on the Redis client).",
                actual,
                AbstractCallAssert.text(bound),
                AbstractCallAssert.text(Duration.ofNanos(System.nanoTime() - t0)));
    }

    /**
     * @param expected e.g. {@code UP}, {@code DOWN}, {@code OUT_OF_SERVICE}
     * @return this
     */
    public SELF hasStatus(String expected) {
        String status = status();
        if (!expected.equals(status)) {
            failWithMessage(
                    "Expecting the health endpoint %s to say %s but it said %s (HTTP %s):%n  %s",
                    actual, expected, status, response.statusCode(), response.body());
        }
        return myself;
    }

    /** @return this, after verifying the endpoint says {@code UP} */
    public SELF isUp() {
        return hasStatus("UP");
    }

    /** @return this, after verifying the endpoint says {@code DOWN} */
    public SELF isDown() {
        return hasStatus("DOWN");
    }

    /**
     * @param component a component's name, e.g. {@code db} or {@code redis} (Actuator's {@code components})
     * @param expected  its status
     * @return this
     */
    public SELF hasComponentStatus(String component, String expected) {
        answer();
        Matcher m = Pattern.compile(
                        "\"" + Pattern.quote(component) + "\"\\s*:\\s*\\{\\s*\"status\"\\s*:\\s*\"([^\"]*)\"")
                .matcher(response.body());
        String status = m.find() ? m.group(1) : null;
        if (!expected.equals(status)) {
            failWithMessage(
                    "Expecting component %s of the health endpoint %s to say %s but it %s:%n  %s",
                    component,
                    actual,
                    expected,
                    status == null ? "is not listed (with details shown?)" : "said " + status,
                    response.body());
        }
        return myself;
    }

    private String status() {
        answer();
        return topLevelStatus(response.body());
    }

    /**
     * The top-level object's {@code "status"}, not the first one in the text: Actuator lists the components, each with
     * a status of its own, before the overall status in some versions (Spring Boot 4).
     */
    static String topLevelStatus(String json) {
        int depth = 0;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c == '"') {
                int end = endOfString(json, i);
                if (depth == 1 && json.substring(i + 1, end).equals("status")) {
                    Matcher m = STRING_VALUE.matcher(json).region(end + 1, json.length());
                    if (m.lookingAt()) {
                        return m.group(1);
                    }
                }
                i = end;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                depth--;
            }
        }
        return null;
    }

    private static int endOfString(String json, int start) {
        for (int i = start + 1; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                return i;
            }
        }
        return json.length();
    }

    private void answer() {
        if (response == null) {
            answersWithin(DEFAULT_BOUND);
        }
    }
}
