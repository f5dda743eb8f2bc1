/**
 * The default storage (type {@code default}): the platform's own, embedded on the local filesystem
 * under one root shared by all organizations, with signed download URLs checked by
 * {@link org.binarybackends.defaultstore.DownloadTokens} and served by an optional embedded
 * download server.
 */
package org.binarybackends.defaultstore;
