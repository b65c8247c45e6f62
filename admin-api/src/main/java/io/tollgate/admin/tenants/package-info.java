/** Tenants: lifecycle, plans, and the scope check every tenant-owned resource goes through. */
package io.tollgate.admin.tenants;
