// RefSeq accessions of the human primary assembly chromosomes (NCBI), so that a VCF CHROM such as
// "chr5" or "5" can be given as the Genomics Reporting IG's reference sequence (48013-7).

export type Assembly = 'GRCh37' | 'GRCh38';

const GRCH37: readonly string[] = [
  '',
  'NC_000001.10',
  'NC_000002.11',
  'NC_000003.11',
  'NC_000004.11',
  'NC_000005.9',
  'NC_000006.11',
  'NC_000007.13',
  'NC_000008.10',
  'NC_000009.11',
  'NC_000010.10',
  'NC_000011.9',
  'NC_000012.11',
  'NC_000013.10',
  'NC_000014.8',
  'NC_000015.9',
  'NC_000016.9',
  'NC_000017.10',
  'NC_000018.9',
  'NC_000019.9',
  'NC_000020.10',
  'NC_000021.8',
  'NC_000022.10',
  'NC_000023.10',
  'NC_000024.9',
];
const GRCH38: readonly string[] = [
  '',
  'NC_000001.11',
  'NC_000002.12',
  'NC_000003.12',
  'NC_000004.12',
  'NC_000005.10',
  'NC_000006.12',
  'NC_000007.14',
  'NC_000008.11',
  'NC_000009.12',
  'NC_000010.11',
  'NC_000011.10',
  'NC_000012.12',
  'NC_000013.11',
  'NC_000014.9',
  'NC_000015.10',
  'NC_000016.10',
  'NC_000017.11',
  'NC_000018.10',
  'NC_000019.10',
  'NC_000020.11',
  'NC_000021.9',
  'NC_000022.11',
  'NC_000023.11',
  'NC_000024.10',
];
/** The revised Cambridge Reference Sequence, the mitochondrial reference of GRCh37 (as "MT") and GRCh38. */
const MITOCHONDRION = 'NC_012920.1';

/** "chr5", "5", "chrX", "x", "chrM", "MT" → "5", "X", "MT" (undefined for unplaced contigs). */
export function normalizeChromosome(chrom: string): string | undefined {
  const bare = chrom.replace(/^chr/i, '').toUpperCase();
  if (bare === 'M' || bare === 'MT') return 'MT';
  if (bare === 'X' || bare === 'Y') return bare;
  const number = Number(bare);
  return Number.isInteger(number) && number >= 1 && number <= 22 ? String(number) : undefined;
}

export function refSeqAccession(assembly: Assembly, chrom: string): string | undefined {
  const normalized = normalizeChromosome(chrom);
  if (normalized === undefined) return undefined;
  if (normalized === 'MT') return MITOCHONDRION;
  const index = normalized === 'X' ? 23 : normalized === 'Y' ? 24 : Number(normalized);
  return (assembly === 'GRCh37' ? GRCH37 : GRCH38)[index];
}

/** The assembly a VCF header names in ##reference, ##contig or ##source lines, if any. */
export function assemblyFromHeader(metaLines: readonly string[]): Assembly | undefined {
  const text = metaLines
    .filter((line) => /^##(reference|contig|source|assembly)/i.test(line))
    .join('\n');
  if (/GRCh38|hg38|build 38|\bb38\b/i.test(text)) return 'GRCh38';
  if (/GRCh37|hg19|build 37|\bb37\b|_v37|hs37/i.test(text)) return 'GRCh37';
  return undefined;
}
