/** Gateway nodes as the admin sees them through their heartbeats. */
package io.tollgate.admin.nodes;
