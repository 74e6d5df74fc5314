package dev.prodlike.postgres.internal.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Image;
import dev.prodlike.internal.Console;
import dev.prodlike.postgres.internal.TemplateMetadata;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.ImageNameSubstitutor;

/**
 * Migrated clusters of containers, kept as local images of the engine so that the next run's container starts
 * already migrated: no initdb, no image initialisation, no migrations, and clones ready for the first tests. The
 * Docker counterpart of the embedded provider's cached clusters.
 *
 * <p>An image is the container of the run that first migrated the template, committed right after a
 * {@code CHECKPOINT} with the container paused: every file as the server left it at one instant, which PostgreSQL
 * starts from as after a crash of its processes (nothing is lost: the page cache held every write, whatever
 * {@code fsync} says), replaying the little WAL written since the checkpoint. The data directory lies outside the
 * image's volumes ({@link DockerPostgres#dataDirectory}) so that the commit holds it.
 *
 * <p>Named {@value #REPOSITORY}{@code :<group>-<fingerprint>}, where the group stands for the base image (by id: a
 * re-pulled or rebuilt tag never mixes with the old one), the server command and the data directory; labelled with
 * {@value #GROUP}, so the {@value #KEPT} newest per group are kept and older ones removed. Nothing runs from them
 * between runs; {@code docker image rm} of any of them only costs the next run its migrations again.
 */
final class ContainerClusters {

    /**
     * Repository of the images. Its {@code localhost/} makes it a name of a registry of its own for Testcontainers'
     * image name substitution, which then leaves it as it is: a mirror's {@code hub.image.name.prefix} applies to
     * Docker Hub names only, and a kept image looked for on the mirror would be pulled for two minutes in vain.
     */
    static final String REPOSITORY = "localhost/prodlike-postgres-migrated";

    /** Label naming the group (base image, command, data directory) an image belongs to. */
    static final String GROUP = "dev.prodlike.migrated-cluster-of";
    /** Label holding the template's {@link TemplateMetadata}. */
    static final String METADATA = "dev.prodlike.template-metadata";
    /**
     * Label holding the owner's password. Whoever can read labels can also read the environment of the container
     * that made the image (and of every container Testcontainers starts), so it says no more than they show.
     */
    static final String PASSWORD = "dev.prodlike.owner-password";
    /**
     * Label holding the numeric owner of the data directory ({@code uid:gid}), read from the committed cluster: a
     * tmpfs for the clones of the image's containers must belong to the user the server runs as, which differs
     * between images (999 in Debian's, 70 in Alpine's).
     */
    static final String DATA_OWNER = "dev.prodlike.data-owner";
    /** Images kept per group. */
    static final int KEPT = 2;

    /**
     * A usable image.
     *
     * @param dataOwner {@code uid:gid} of its data directory, or null when it was not read (an image of an earlier
     *                  version)
     */
    record Entry(String key, String image, String ownerPassword, TemplateMetadata metadata, String dataOwner) {}

    private final DockerClient client;
    private final String group;

    /**
     * @param client the engine's client
     * @param group  what the images are kept for: a digest of the base image's id, the server command (its settings
     *               shape the cluster's files) and the data directory
     */
    ContainerClusters(DockerClient client, String group) {
        this.client = client;
        this.group = group;
    }

    private static final AtomicBoolean RENAMED_TOLD = new AtomicBoolean();

    /**
     * @return whether Testcontainers starts the kept images under their own names; false (said once) when a custom
     *     image name substitutor renames them too: then nothing is kept
     */
    static boolean namesSurviveSubstitution() {
        String name = REPOSITORY + ":probe";
        String substituted;
        try {
            substituted = ImageNameSubstitutor.instance()
                    .apply(DockerImageName.parse(name))
                    .asCanonicalNameString();
        } catch (RuntimeException e) {
            substituted = e.toString();
        }
        if (substituted.equals(name)) {
            return true;
        }
        if (RENAMED_TOLD.compareAndSet(false, true)) {
            Console.line("Testcontainers' image name substitution renames the local image " + name + " to "
                    + substituted + ", so the migrated cluster is not kept between runs (each run migrates anew)."
                    + " Fix: let your image.substitutor leave localhost/ names as they are.");
        }
        return false;
    }

    private String image(String key) {
        return REPOSITORY + ":" + group + "-" + key;
    }

    /**
     * @param key a migrations fingerprint
     * @return its image when there is one, else null
     */
    Entry find(String key) {
        try {
            InspectImageResponse image = client.inspectImageCmd(image(key)).exec();
            Map<String, String> labels =
                    image.getConfig() == null ? null : image.getConfig().getLabels();
            if (labels == null || labels.get(PASSWORD) == null || labels.get(METADATA) == null) {
                discard(key, "it lacks prodlike's labels");
                return null;
            }
            return new Entry(
                    key,
                    image(key),
                    labels.get(PASSWORD),
                    TemplateMetadata.decode(labels.get(METADATA)),
                    labels.get(DATA_OWNER));
        } catch (NotFoundException e) {
            return null;
        }
    }

    /**
     * Removes an image that could not be used, so that the next run makes it anew.
     *
     * @param key a migrations fingerprint
     * @param why what was wrong with it
     */
    void discard(String key, String why) {
        Console.warning("the image of the migrated cluster " + image(key) + " could not be used (" + why
                + "); removed it: this run migrates again and keeps a new one");
        try {
            client.removeImageCmd(image(key)).withForce(true).exec();
        } catch (RuntimeException e) {
            Console.warning("could not remove " + image(key) + ": " + e.getMessage());
        }
    }

    /**
     * Keeps the running cluster of a container as the image of a fingerprint, then removes the group's older images.
     *
     * @param containerId   the container
     * @param dataDirectory the cluster's directory in it
     * @param owner         a connection as the cluster's owner (a superuser)
     * @param key           the migrations fingerprint
     * @param metadata      what to remember of the template
     * @param ownerPassword the owner's password, which the next run connects with
     * @throws SQLException when the checkpoint fails
     */
    void save(
            String containerId,
            String dataDirectory,
            Connection owner,
            String key,
            TemplateMetadata metadata,
            String ownerPassword)
            throws SQLException {
        if (find(key) != null) {
            return; // another JVM kept it meanwhile
        }
        try (Statement s = owner.createStatement()) {
            s.execute("CHECKPOINT"); // what the next start replays is what follows it: next to nothing
        }
        Map<String, String> labels =
                new HashMap<>(Map.of(GROUP, group, METADATA, metadata.encode(), PASSWORD, ownerPassword));
        String dataOwner = dataOwner(containerId, dataDirectory + "/PG_VERSION");
        if (dataOwner != null) {
            labels.put(DATA_OWNER, dataOwner);
        }
        client.commitCmd(containerId)
                .withRepository(REPOSITORY)
                .withTag(group + "-" + key)
                .withLabels(labels)
                .withPause(true)
                .exec();
        prune();
    }

    /**
     * @return {@code uid:gid} of a file in the container, from the header the engine's archive of it starts with, or
     *     null when it cannot be read
     */
    private String dataOwner(String containerId, String path) {
        try (InputStream tar =
                client.copyArchiveFromContainerCmd(containerId, path).exec()) {
            return tarOwner(tar);
        } catch (IOException | RuntimeException e) {
            Console.line("could not read who owns " + path + " in the container (" + e.getMessage()
                    + "): its clones will not be copied into memory in later runs");
            return null;
        }
    }

    /**
     * @param tar a tar stream
     * @return {@code uid:gid} of its first file entry (past any pax or GNU long-name headers), or null
     */
    static String tarOwner(InputStream tar) throws IOException {
        byte[] header = new byte[512];
        for (int entries = 0; entries < 8; entries++) {
            if (tar.readNBytes(header, 0, 512) < 512 || header[0] == 0) {
                return null;
            }
            char type = (char) header[156];
            if (type == '0' || type == 0 || type == '5') {
                return octal(header, 108, 8) + ":" + octal(header, 116, 8);
            }
            long size = octal(header, 124, 12);
            tar.skipNBytes((size + 511) / 512 * 512); // a pax or long-name record: its data, then the real header
        }
        return null;
    }

    private static long octal(byte[] header, int offset, int length) {
        String digits = new String(header, offset, length, StandardCharsets.US_ASCII)
                .replace("\0", " ")
                .trim();
        return digits.isEmpty() ? 0 : Long.parseLong(digits, 8);
    }

    private void prune() {
        List<Image> images = new ArrayList<>(
                client.listImagesCmd().withLabelFilter(Map.of(GROUP, group)).exec());
        images.sort(Comparator.comparing(Image::getCreated, Comparator.nullsFirst(Comparator.naturalOrder()))
                .reversed());
        for (Image old : images.subList(Math.min(KEPT, images.size()), images.size())) {
            try {
                client.removeImageCmd(old.getId()).withForce(true).exec();
            } catch (RuntimeException e) {
                // in use by another run's container: removed by a later run
            }
        }
    }
}
