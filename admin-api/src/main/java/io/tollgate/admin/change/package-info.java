/**
 * The one way admin writes happen: {@link io.tollgate.admin.change.ChangeWriter} wraps a domain change with its
 * audit event and the config version bump in a single transaction.
 */
package io.tollgate.admin.change;
