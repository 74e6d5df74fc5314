package dev.prodlike.testing;

import dev.prodlike.spi.ProfileKeys;
import dev.prodlike.spi.ValueCheck;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** A module that core has never heard of, declaring its keys the way prodlike's own modules do. */
public final class KafkaTestKeys implements ProfileKeys {

    @Override
    public Map<String, ValueCheck> keys() {
        return Map.of(
                "kafka.version",
                ValueCheck.matching(
                        Pattern.compile("[0-9]+\\.[0-9]+(\\.[0-9]+)?"), "must be a Kafka version such as 3.7"));
    }

    @Override
    public Set<String> prefixes() {
        return Set.of("kafka.settings.");
    }
}
