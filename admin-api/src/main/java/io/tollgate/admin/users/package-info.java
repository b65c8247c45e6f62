/** Admin users and role grants. */
package io.tollgate.admin.users;
