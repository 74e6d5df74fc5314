package dev.prodlike.postgres.internal;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads the entries of a tar stream (ustar, with GNU long names and pax path records), enough for the PostgreSQL
 * binaries archive. Written here rather than taken from commons-compress: its current versions need a commons-lang3
 * newer than Spring Boot 3.3-3.4 manage, and a consumer's BOM decides that version (NoSuchMethodError
 * SystemProperties.getUserName on the first archive entry).
 */
final class TarReader extends InputStream {

    /** One entry's header. */
    record Entry(String name, char type, int mode, long size, String linkName) {
        boolean isDirectory() {
            return type == '5' || (isFile() && name.endsWith("/"));
        }

        boolean isSymbolicLink() {
            return type == '2';
        }

        boolean isLink() {
            return type == '1';
        }

        private boolean isFile() {
            return type == '0' || type == '\0' || type == '7';
        }
    }

    private static final int BLOCK = 512;
    private final InputStream in;
    private long remaining;
    private long padding;

    TarReader(InputStream in) {
        this.in = in;
    }

    /**
     * @return the next entry, its content readable from this stream, or null at the end of the archive
     * @throws IOException when the stream is not a tar archive or ends early
     */
    Entry next() throws IOException {
        skipFully(remaining + padding);
        remaining = 0;
        padding = 0;
        String longName = null;
        String longLink = null;
        while (true) {
            byte[] header = new byte[BLOCK];
            if (!readBlock(header)) {
                return null;
            }
            String name = text(header, 0, 100);
            int mode = (int) number(header, 100, 8);
            long size = number(header, 124, 12);
            char type = (char) header[156];
            String link = text(header, 157, 100);
            if (text(header, 257, 5).equals("ustar")) {
                String prefix = text(header, 345, 155);
                if (!prefix.isEmpty()) {
                    name = prefix + "/" + name;
                }
            }
            long pad = (BLOCK - size % BLOCK) % BLOCK;
            if (type == 'L' || type == 'K' || type == 'x' || type == 'g') {
                String data = new String(readData(size), StandardCharsets.UTF_8);
                skipFully(pad);
                if (type == 'L') {
                    longName = cut(data);
                } else if (type == 'K') {
                    longLink = cut(data);
                } else if (type == 'x') {
                    longName = pax(data, "path", longName);
                    longLink = pax(data, "linkpath", longLink);
                }
                continue;
            }
            Entry entry =
                    new Entry(longName != null ? longName : name, type, mode, size, longLink != null ? longLink : link);
            boolean content = entry.isFile() || type == '\0';
            remaining = content ? size : 0;
            padding = content ? pad : 0;
            if (!content) {
                skipFully(size + pad);
            }
            return entry;
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (remaining <= 0) {
            return -1;
        }
        int n = in.read(buffer, offset, (int) Math.min(length, remaining));
        if (n == -1) {
            throw new EOFException("tar archive ends inside an entry");
        }
        remaining -= n;
        return n;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /** @return false at the end of the archive (end of stream or a block of zeros) */
    private boolean readBlock(byte[] block) throws IOException {
        int read = in.readNBytes(block, 0, BLOCK);
        if (read == 0) {
            return false;
        }
        if (read < BLOCK) {
            throw new EOFException("tar archive ends inside a header");
        }
        for (byte b : block) {
            if (b != 0) {
                return true;
            }
        }
        return false;
    }

    private byte[] readData(long size) throws IOException {
        if (size > 1 << 20) {
            throw new IOException("tar extended header of " + size + " bytes");
        }
        byte[] data = in.readNBytes((int) size);
        if (data.length < size) {
            throw new EOFException("tar archive ends inside an extended header");
        }
        return data;
    }

    private void skipFully(long n) throws IOException {
        long left = n;
        while (left > 0) {
            long skipped = in.skip(left);
            if (skipped <= 0) {
                if (in.read() == -1) {
                    throw new EOFException("tar archive ends inside an entry");
                }
                skipped = 1;
            }
            left -= skipped;
        }
    }

    private static String text(byte[] header, int offset, int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) {
            end++;
        }
        return new String(header, offset, end - offset, StandardCharsets.UTF_8);
    }

    /** Octal digits, or base-256 when the first byte has its high bit set (sizes past 8 GB). */
    private static long number(byte[] header, int offset, int length) throws IOException {
        if ((header[offset] & 0x80) != 0) {
            long value = header[offset] & 0x7f;
            for (int i = offset + 1; i < offset + length; i++) {
                value = (value << 8) | (header[i] & 0xff);
            }
            return value;
        }
        String digits = text(header, offset, length).trim();
        try {
            return digits.isEmpty() ? 0 : Long.parseLong(digits, 8);
        } catch (NumberFormatException e) {
            throw new IOException("not a tar archive (header field '" + digits + "')");
        }
    }

    private static String cut(String data) {
        int nul = data.indexOf('\0');
        return nul >= 0 ? data.substring(0, nul) : data;
    }

    /** A pax record set: lines {@code <length> <key>=<value>\n}. */
    private static String pax(String records, String key, String otherwise) {
        for (String line : records.split("\n")) {
            int space = line.indexOf(' ');
            int eq = line.indexOf('=');
            if (space > 0 && eq > space && line.substring(space + 1, eq).equals(key)) {
                return line.substring(eq + 1);
            }
        }
        return otherwise;
    }
}
