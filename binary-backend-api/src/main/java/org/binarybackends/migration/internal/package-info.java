/** How migrations are carried out; not exported, not for callers. */
package org.binarybackends.migration.internal;
