package io.tollgate.gateway.pipeline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;

/**
 * An ordered, mutable list of header fields with case-insensitive names. Order and repeated fields are kept as
 * received, so what is forwarded is what came in (less what a filter removed on purpose).
 *
 * <p>Several lists are made for every request (its fields, the answer's, the fields every answer gets), so one
 * list is one array of names and values side by side rather than two {@link ArrayList}s: half the objects and
 * no boxing checks per lookup.
 */
public final class HttpFields {
    /** Fields the array first holds; most heads of the gateway's own answers and many requests fit. */
    private static final int INITIAL_FIELDS = 8;
    private static final String[] NONE = {};

    /** Name of field i at {@code 2 * i}, its value at {@code 2 * i + 1}. */
    private String[] fields = NONE;
    private int size;

    public HttpFields add(String name, String value) {
        if (2 * size == fields.length) {
            fields = Arrays.copyOf(fields, Math.max(2 * INITIAL_FIELDS, 2 * fields.length));
        }
        fields[2 * size] = name;
        fields[2 * size + 1] = value;
        size++;
        return this;
    }

    /** Replaces every field named {@code name} with one field. */
    public HttpFields set(String name, String value) {
        remove(name);
        return add(name, value);
    }

    public void remove(String name) {
        int kept = 0;
        for (int i = 0; i < size; i++) {
            if (!fields[2 * i].equalsIgnoreCase(name)) {
                if (kept != i) {
                    fields[2 * kept] = fields[2 * i];
                    fields[2 * kept + 1] = fields[2 * i + 1];
                }
                kept++;
            }
        }
        Arrays.fill(fields, 2 * kept, 2 * size, null);
        size = kept;
    }

    /** The first value of {@code name}, or null. */
    public String first(String name) {
        for (int i = 0; i < size; i++) {
            if (fields[2 * i].equalsIgnoreCase(name)) {
                return fields[2 * i + 1];
            }
        }
        return null;
    }

    public List<String> all(String name) {
        List<String> found = new ArrayList<>(1);
        for (int i = 0; i < size; i++) {
            if (fields[2 * i].equalsIgnoreCase(name)) {
                found.add(fields[2 * i + 1]);
            }
        }
        return found;
    }

    public boolean contains(String name) {
        return first(name) != null;
    }

    public void forEach(BiConsumer<String, String> action) {
        for (int i = 0; i < size; i++) {
            action.accept(fields[2 * i], fields[2 * i + 1]);
        }
    }

    /** The name of the {@code index}th field, as received. */
    public String name(int index) {
        return fields[2 * checked(index)];
    }

    /** The value of the {@code index}th field. */
    public String value(int index) {
        return fields[2 * checked(index) + 1];
    }

    public int size() {
        return size;
    }

    public static String lower(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    /**
     * Whether {@code name} lower-cased ({@link #lower}) is {@code lowerCase}, a lower-case ASCII name, without
     * making the lower-case String: names are almost always ASCII, and only a name that is not is lower-cased.
     */
    public static boolean lowerIs(String name, String lowerCase) {
        int n = name.length();
        if (n != lowerCase.length()) {
            // lower-casing lengthens only non-ASCII names, never into the ASCII lowerCase
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = name.charAt(i);
            if (c >= 0x80) {
                return lower(name).equals(lowerCase);
            }
            if (c >= 'A' && c <= 'Z') {
                c = (char) (c + ('a' - 'A'));
            }
            if (c != lowerCase.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private int checked(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("field " + index + " of " + size);
        }
        return index;
    }
}
