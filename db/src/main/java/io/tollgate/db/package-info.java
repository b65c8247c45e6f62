/**
 * The config store: PostgreSQL through HikariCP and jOOQ, migrated by Flyway from {@code db/migrations}.
 * Only this module touches jOOQ's generated tables; the stores read and write one aggregate each.
 */
package io.tollgate.db;
