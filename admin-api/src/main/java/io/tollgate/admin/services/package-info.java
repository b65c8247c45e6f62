/** Upstream services: targets with weights, timeouts, protocol and language tag. */
package io.tollgate.admin.services;
