/** Immutable rows of the config store, as the rest of Tollgate sees them. */
package io.tollgate.db.model;
