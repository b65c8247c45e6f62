/** Privacy of what Tollgate records about clients. */
package io.tollgate.common.privacy;
