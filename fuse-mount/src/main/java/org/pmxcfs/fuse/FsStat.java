package org.pmxcfs.fuse;

/** statfs figures, in blocks of {@code blockSize} bytes. */
public record FsStat(long blockSize, long blocks, long freeBlocks, long files, long freeFiles, long nameMax) {}
