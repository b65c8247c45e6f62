/** Reading key material that operators paste into the config (PEM public keys). */
package io.tollgate.common.keys;
