/**
 * Repository classes, one aggregate each, created over the caller's {@link org.jooq.DSLContext} so that a
 * domain service can use several of them inside one transaction. Tenant data is always read by tenant id.
 */
package io.tollgate.db.store;
