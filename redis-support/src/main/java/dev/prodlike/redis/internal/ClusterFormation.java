package dev.prodlike.redis.internal;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns freshly started, empty cluster-enabled nodes into one Redis Cluster, as {@code redis-cli --cluster create}
 * does without replicas: a distinct config epoch per node (so no epoch collision has to be resolved by gossip), the
 * 16384 hash slots split into contiguous ranges, one per master, every node introduced to every other (CLUSTER MEET,
 * so none waits for gossip to learn of a peer), then a wait until every node sees every slot served
 * ({@code cluster_state:ok}). A master keeps its cluster state failed for about two seconds after it starts (Redis'
 * own delay before a master rejoins as writable), so forming a cluster takes at least that long.
 *
 * <p>Speaks RESP over plain sockets: a handful of commands per node, sent while the JVM may not have loaded Lettuce
 * yet, which would cost seconds on a busy machine at a moment where the nodes only wait.
 */
final class ClusterFormation {

    /** The hash slots of Redis Cluster. */
    static final int SLOTS = 16384;

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private ClusterFormation() {}

    /**
     * @param masters how many masters
     * @param index   which of them
     * @return the first and last slot of that master's range
     */
    static int[] slotRange(int masters, int index) {
        return new int[] {index * SLOTS / masters, (index + 1) * SLOTS / masters - 1};
    }

    /**
     * Forms the cluster and waits until it serves every slot.
     *
     * @param nodes    the nodes as this JVM reaches them, in slot order
     * @param meetHost the address the nodes reach each other at (the one they announce)
     * @return null when every node reports the cluster ok, else what went wrong or what the nodes reported last
     */
    static String form(List<ClusterNodes.Node> nodes, String meetHost) {
        List<Resp> connections = new ArrayList<>();
        try {
            for (ClusterNodes.Node n : nodes) {
                connections.add(new Resp(n));
            }
            for (int i = 0; i < nodes.size(); i++) {
                connections.get(i).call("CLUSTER", "SET-CONFIG-EPOCH", String.valueOf(i + 1));
                int[] range = slotRange(nodes.size(), i);
                List<String> addSlots = new ArrayList<>(List.of("CLUSTER", "ADDSLOTS"));
                for (int slot = range[0]; slot <= range[1]; slot++) {
                    addSlots.add(String.valueOf(slot));
                }
                connections.get(i).call(addSlots.toArray(new String[0]));
            }
            for (int i = 0; i < nodes.size(); i++) {
                for (int j = 0; j < nodes.size(); j++) {
                    if (i != j) {
                        connections
                                .get(i)
                                .call(
                                        "CLUSTER",
                                        "MEET",
                                        meetHost,
                                        String.valueOf(nodes.get(j).port()));
                    }
                }
            }
            return awaitOk(connections, nodes.size());
        } catch (IOException e) {
            return "forming the cluster failed: " + e.getMessage();
        } finally {
            connections.forEach(Resp::close);
        }
    }

    private static String awaitOk(List<Resp> connections, int masters) throws IOException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            String last = notReady(connections, masters);
            if (last == null) {
                return null;
            }
            if (System.nanoTime() > deadline) {
                return "not every node served every slot within " + TIMEOUT.toSeconds() + " s; " + last;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted while waiting for the cluster to form";
            }
        }
    }

    /** @return null when every node reports the cluster ok with all masters and slots, else the first that does not */
    private static String notReady(List<Resp> connections, int masters) throws IOException {
        for (int i = 0; i < connections.size(); i++) {
            String info = connections.get(i).call("CLUSTER", "INFO");
            String state = ServerInspection.infoField(info, "cluster_state");
            String known = ServerInspection.infoField(info, "cluster_known_nodes");
            String served = ServerInspection.infoField(info, "cluster_slots_ok");
            if (!"ok".equals(state)
                    || !String.valueOf(masters).equals(known)
                    || !String.valueOf(SLOTS).equals(served)) {
                return "node " + (i + 1) + " reports cluster_state:" + state + ", cluster_known_nodes:" + known
                        + ", cluster_slots_ok:" + served;
            }
        }
        return null;
    }

    /** One plain RESP connection: a command out, its one reply (status, error or bulk string) back. */
    private static final class Resp implements AutoCloseable {
        private final ClusterNodes.Node node;
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;

        Resp(ClusterNodes.Node node) throws IOException {
            this.node = node;
            socket = new Socket();
            socket.connect(new InetSocketAddress(node.host(), node.port()), 5_000);
            socket.setSoTimeout(10_000);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream());
        }

        String call(String... args) throws IOException {
            StringBuilder cmd = new StringBuilder("*").append(args.length).append("\r\n");
            for (String a : args) {
                cmd.append('$')
                        .append(a.getBytes(StandardCharsets.UTF_8).length)
                        .append("\r\n")
                        .append(a)
                        .append("\r\n");
            }
            out.write(cmd.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            String line = line();
            if (line.startsWith("-")) {
                throw new IOException(node + " answered " + args[0] + " " + args[1] + " with " + line.substring(1));
            }
            if (!line.startsWith("$")) {
                return line.substring(1);
            }
            int length = Integer.parseInt(line.substring(1));
            byte[] body = in.readNBytes(length + 2);
            return new String(body, 0, Math.max(0, body.length - 2), StandardCharsets.UTF_8);
        }

        private String line() throws IOException {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) != -1) {
                if (c == '\n') {
                    break;
                }
                if (c != '\r') {
                    buf.write(c);
                }
            }
            if (c == -1) {
                throw new IOException(node + " closed the connection");
            }
            return buf.toString(StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
