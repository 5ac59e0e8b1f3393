package io.netwarden.platform.messaging.mqtt;

/**
 * MQTT topic names and filters: {@code /}-separated levels; filters may use {@code +} for one level and {@code #} for
 * the rest (last level only). What is sent or subscribed here is checked, and what arrives is matched, by these rules.
 */
public final class MqttTopics {

    /** Longer topics are refused (MQTT allows 65535 bytes; nothing here needs more). */
    public static final int MAX_LENGTH = 1024;

    private MqttTopics() {
    }

    /** A topic to publish to: no wildcards, no NUL, not empty. */
    public static String requireValidTopic(String topic) {
        check(topic, false);
        return topic;
    }

    public static String requireValidFilter(String filter) {
        check(filter, true);
        return filter;
    }

    private static void check(String topic, boolean filter) {
        if (topic == null || topic.isEmpty() || topic.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("an MQTT topic is 1-" + MAX_LENGTH + " characters");
        }
        String[] levels = topic.split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            String level = levels[i];
            if (level.chars().anyMatch(c -> c == 0 || Character.isISOControl(c))) {
                throw new IllegalArgumentException("an MQTT topic holds a control character");
            }
            boolean wildcard = level.contains("+") || level.contains("#");
            if (wildcard && !filter) {
                throw new IllegalArgumentException("a topic to publish to has no wildcards (+, #)");
            }
            if (wildcard && !(level.equals("+") || (level.equals("#") && i == levels.length - 1))) {
                throw new IllegalArgumentException("in an MQTT filter, + is a whole level and # the whole last level");
            }
        }
    }

    /** Whether {@code topic} matches {@code filter}. */
    public static boolean matches(String filter, String topic) {
        String[] f = filter.split("/", -1);
        String[] t = topic.split("/", -1);
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals("#")) {
                return true;
            }
            if (i >= t.length || !(f[i].equals("+") || f[i].equals(t[i]))) {
                return false;
            }
        }
        return f.length == t.length;
    }

    /** A topic as it may go into a log line: control characters replaced, at most 200 characters. */
    public static String printable(String topic) {
        StringBuilder out = new StringBuilder();
        topic.codePoints().limit(200).forEach(c -> out.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return topic.length() > 200 ? out + "…" : out.toString();
    }
}
