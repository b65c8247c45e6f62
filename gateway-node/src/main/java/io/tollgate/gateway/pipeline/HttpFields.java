package io.tollgate.gateway.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;

/**
 * An ordered, mutable list of header fields with case-insensitive names. Order and repeated fields are kept as
 * received, so what is forwarded is what came in (less what a filter removed on purpose).
 */
public final class HttpFields {
    private final List<String> names = new ArrayList<>();
    private final List<String> values = new ArrayList<>();

    public HttpFields add(String name, String value) {
        names.add(name);
        values.add(value);
        return this;
    }

    /** Replaces every field named {@code name} with one field. */
    public HttpFields set(String name, String value) {
        remove(name);
        return add(name, value);
    }

    public void remove(String name) {
        for (int i = names.size() - 1; i >= 0; i--) {
            if (names.get(i).equalsIgnoreCase(name)) {
                names.remove(i);
                values.remove(i);
            }
        }
    }

    /** The first value of {@code name}, or null. */
    public String first(String name) {
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equalsIgnoreCase(name)) {
                return values.get(i);
            }
        }
        return null;
    }

    public List<String> all(String name) {
        List<String> found = new ArrayList<>(1);
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equalsIgnoreCase(name)) {
                found.add(values.get(i));
            }
        }
        return found;
    }

    public boolean contains(String name) {
        return first(name) != null;
    }

    public void forEach(BiConsumer<String, String> action) {
        for (int i = 0; i < names.size(); i++) {
            action.accept(names.get(i), values.get(i));
        }
    }

    /** The name of the {@code index}th field, as received. */
    public String name(int index) {
        return names.get(index);
    }

    /** The value of the {@code index}th field. */
    public String value(int index) {
        return values.get(index);
    }

    public int size() {
        return names.size();
    }

    public static String lower(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}
