package org.binarybackends;

import java.util.Optional;

/**
 * A part of a {@link DirectUpload} that arrived.
 *
 * @param partNumber 1-based
 * @param size its length
 * @param sha256 its SHA-256 as the storage checked it, if the storage says
 */
public record UploadedPart(int partNumber, long size, Optional<Sha256Digest> sha256) {}
