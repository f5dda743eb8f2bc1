package org.binarybackends.s3;

import org.binarybackends.testkit.CryptoProviderContract;

/** The S3 backends' digests come from the provider this run is for (the pom runs it twice). */
class Sha256ProviderTest implements CryptoProviderContract {}
