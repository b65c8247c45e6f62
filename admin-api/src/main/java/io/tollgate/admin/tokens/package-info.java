/** Sign-in and operator automation tokens. */
package io.tollgate.admin.tokens;
