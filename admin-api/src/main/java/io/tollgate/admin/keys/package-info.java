/** API keys: shown once, stored as SHA-256, revocable, limited to routes, with optional own limits. */
package io.tollgate.admin.keys;
