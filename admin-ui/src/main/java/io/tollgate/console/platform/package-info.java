/** Platform admin pages: tenants and plans, users and role grants, gateway nodes. */
package io.tollgate.console.platform;
