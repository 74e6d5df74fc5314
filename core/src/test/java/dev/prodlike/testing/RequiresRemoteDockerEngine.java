package dev.prodlike.testing;

import dev.prodlike.internal.Docker;
import java.net.URI;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a test only where DOCKER_HOST names a Docker engine off this machine's loopback that answers (CI starts one
 * with {@code .ci/remote-docker up}); elsewhere it is skipped with the reason.
 */
public final class RequiresRemoteDockerEngine implements ExecutionCondition {

    /** @return the engine's host, from DOCKER_HOST */
    public static String engineHost() {
        return URI.create(System.getenv("DOCKER_HOST")).getHost();
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        String host = System.getenv("DOCKER_HOST");
        if (host == null || Docker.isLocalEngine(URI.create(host))) {
            return ConditionEvaluationResult.disabled("needs DOCKER_HOST naming a remote engine"
                    + " (tcp://<address>:<port>); CI starts one with .ci/remote-docker up");
        }
        Docker.Status status = Docker.status();
        return status.available()
                ? ConditionEvaluationResult.enabled("remote engine " + host)
                : ConditionEvaluationResult.disabled("the remote engine does not answer: " + status.reason());
    }
}
