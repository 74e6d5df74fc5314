package dev.prodlike.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads numeric timings out of prodlike's {@code environment.json} (the first occurrence of each key). */
final class ReportJson {

    private ReportJson() {}

    static Map<String, Double> numbers(Path json, String... keys) {
        Map<String, Double> found = new LinkedHashMap<>();
        String text;
        try {
            text = Files.readString(json);
        } catch (IOException e) {
            return found;
        }
        for (String key : keys) {
            Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\"\\s*:\\s*(-?[0-9]+(?:\\.[0-9]+)?)")
                    .matcher(text);
            if (m.find()) {
                found.put(key, Double.parseDouble(m.group(1)));
            }
        }
        return found;
    }
}
