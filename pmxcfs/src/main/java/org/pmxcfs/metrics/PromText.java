package org.pmxcfs.metrics;

/**
 * Writes the Prometheus text exposition format (version 0.0.4): a {@code # HELP} and
 * {@code # TYPE} line per metric family, then its samples, label values escaped.
 */
final class PromText {

    private final StringBuilder out = new StringBuilder(4096);

    /** Starts a metric family. */
    PromText family(String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help.replace("\\", "\\\\").replace("\n", "\\n"))
                .append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        return this;
    }

    /** One sample; {@code labels} are name/value pairs. */
    PromText sample(String name, double value, String... labels) {
        out.append(name);
        if (labels.length > 0) {
            out.append('{');
            for (int i = 0; i + 1 < labels.length; i += 2) {
                if (i > 0) {
                    out.append(',');
                }
                out.append(labels[i]).append("=\"").append(escape(labels[i + 1])).append('"');
            }
            out.append('}');
        }
        out.append(' ').append(format(value)).append('\n');
        return this;
    }

    /** A family with a single unlabelled sample. */
    PromText gauge(String name, String help, double value) {
        return family(name, "gauge", help).sample(name, value);
    }

    PromText counter(String name, String help, double value) {
        return family(name, "counter", help).sample(name, value);
    }

    static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    static String format(double v) {
        if (v == Double.POSITIVE_INFINITY) {
            return "+Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString(); // shortest exact text
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
