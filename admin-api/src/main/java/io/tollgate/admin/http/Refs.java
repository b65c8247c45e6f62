package io.tollgate.admin.http;

import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/** A resource named in a URL or a body by its id or, failing that, by its name within the tenant. */
public final class Refs {
    private Refs() {
    }

    public static <T> Optional<T> byIdOrName(String ref, Function<UUID, Optional<T>> byId,
                                             Function<String, Optional<T>> byName) {
        UUID id;
        try {
            id = UUID.fromString(ref);
        } catch (IllegalArgumentException notAnId) {
            return byName.apply(ref);
        }
        return byId.apply(id);
    }
}
