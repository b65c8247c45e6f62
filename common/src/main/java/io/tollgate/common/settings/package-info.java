/** Settings from environment variables. */
package io.tollgate.common.settings;
