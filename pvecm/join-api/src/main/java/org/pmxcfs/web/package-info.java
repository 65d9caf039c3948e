/**
 * The cluster web page (Datacenter → Cluster of the original): static files from the jar, the
 * cluster status, and create/join run as tasks whose logs the page shows as they run. Served on
 * the join API's HTTPS port, behind its login.
 */
package org.pmxcfs.web;
