import { createHash } from 'node:crypto';
import { transactionBundle } from '../bundle.ts';
import { VcfParseError } from '../errors.ts';
import type { CodeableConcept, ConversionResult, Reference, Resource } from '../fhir-types.ts';
import { deterministicUuid } from '../ids.ts';
import type { TextSource } from '../read-lines.ts';
import { parseVcf, type VcfHeader, type VcfRecord } from './parse-vcf.ts';
import {
  type Assembly,
  assemblyFromHeader,
  normalizeChromosome,
  refSeqAccession,
} from './reference-sequences.ts';

const LOINC = 'http://loinc.org';

export type VcfConvertOptions = {
  file?: string;
  /** The patient the genome belongs to. */
  subject?: Reference;
  /** Which samples to convert (default: all). A multi-sample VCF may hold relatives' genomes. */
  samples?: readonly string[];
  /** Overrides the reference assembly found in the header. */
  assembly?: Assembly;
  /** Called with a note for every record or allele that is not converted, and why. */
  onSkipped?: (note: string) => void;
};

/**
 * Streams a VCF 4.x file as Genomics Reporting IG (R4) "variant" Observations, one per sample and
 * per ALT allele present in that sample's genotype. Reference calls (0/0), missing genotypes,
 * records without ALT (".") and symbolic or breakend alleles produce no Observation but a note.
 */
export async function* streamVcfObservations(
  source: TextSource,
  options: VcfConvertOptions = {},
): AsyncGenerator<Resource> {
  let context: Context | undefined;
  for await (const event of parseVcf(source, options.file)) {
    if (event.kind === 'header') {
      context = makeContext(event.header, options);
      continue;
    }
    if (context === undefined) continue;
    yield* recordObservations(event.record, context, options);
  }
}

/** Whole-file convenience: collects the stream into one transaction Bundle with skip counts. */
export async function convertVcf(
  source: TextSource,
  options: VcfConvertOptions = {},
): Promise<ConversionResult> {
  const counts = new Map<string, number>();
  const observations: Resource[] = [];
  for await (const observation of streamVcfObservations(source, {
    ...options,
    onSkipped: (note) => {
      counts.set(note, (counts.get(note) ?? 0) + 1);
      options.onSkipped?.(note);
    },
  })) {
    observations.push(observation);
  }
  const skipped = [...counts].map(([note, count]) => `${note} ×${count}`);
  const key = observations.map((o) => o.id).join('|');
  return { bundle: transactionBundle(observations, `vcf|${key}`), skipped };
}

type Context = {
  header: VcfHeader;
  headerHash: string;
  assembly: Assembly | undefined;
  sampleIndexes: number[];
};

function makeContext(header: VcfHeader, options: VcfConvertOptions): Context {
  const sampleIndexes =
    options.samples === undefined
      ? header.samples.map((_, index) => index)
      : options.samples.map((name) => {
          const index = header.samples.indexOf(name);
          if (index === -1) {
            throw new VcfParseError('a requested sample is not in the #CHROM header line', {
              file: options.file,
              entry: 'header',
            });
          }
          return index;
        });
  return {
    header,
    // The header identifies the file (caller, pipeline, reference, samples): with the variant's
    // coordinates it makes ids stable across re-imports without hashing a gigabyte body first.
    headerHash: createHash('sha256')
      .update(header.meta.join('\n'))
      .update(header.samples.join('\t'))
      .digest('hex'),
    assembly: options.assembly ?? assemblyFromHeader(header.meta),
    sampleIndexes,
  };
}

function* recordObservations(
  record: VcfRecord,
  context: Context,
  options: VcfConvertOptions,
): Generator<Resource> {
  const skip = (note: string) => options.onSkipped?.(note);
  if (record.alts.length === 0) {
    skip('record without ALT allele (".")');
    return;
  }
  // A sites-only VCF (no samples) reports variants without genotypes: one Observation per ALT.
  if (context.header.samples.length === 0) {
    for (let allele = 1; allele <= record.alts.length; allele++) {
      const observation = variantObservation(
        record,
        allele,
        undefined,
        undefined,
        context,
        options,
        skip,
      );
      if (observation !== undefined) yield observation;
    }
    return;
  }
  for (const sampleIndex of context.sampleIndexes) {
    const sampleName = context.header.samples[sampleIndex] ?? '';
    const genotype = record.samples[sampleIndex]?.get('GT');
    if (genotype === undefined || genotype === '.' || /^[.|/]+$/.test(genotype)) {
      skip('genotype missing');
      continue;
    }
    const alleles = genotype
      .split(/[/|]/)
      .map((allele) => (allele === '.' ? undefined : Number(allele)));
    if (
      alleles.some(
        (allele) =>
          allele !== undefined && (!Number.isInteger(allele) || allele > record.alts.length),
      )
    ) {
      throw new VcfParseError('GT names an allele the record does not have', {
        file: options.file,
        entry: `line ${record.line}, sample ${sampleIndex + 1}`,
      });
    }
    const present = [
      ...new Set(alleles.filter((allele): allele is number => allele !== undefined && allele > 0)),
    ];
    if (present.length === 0) {
      skip('reference-only genotype (no ALT allele called)');
      continue;
    }
    for (const allele of present) {
      const state = allelicState(alleles, allele, record.chrom);
      const observation = variantObservation(
        record,
        allele,
        sampleName,
        state,
        context,
        options,
        skip,
      );
      if (observation !== undefined) yield observation;
    }
  }
}

// LOINC answer list LL381-5 (allelic state).
function allelicState(
  alleles: (number | undefined)[],
  allele: number,
  chrom: string,
): CodeableConcept {
  const code = (value: string, display: string) => ({
    coding: [{ system: LOINC, code: value, display }],
  });
  if (alleles.length === 1) {
    return normalizeChromosome(chrom) === 'MT'
      ? code('LA6704-6', 'Homoplasmic')
      : code('LA6707-9', 'Hemizygous');
  }
  return alleles.every((a) => a === allele)
    ? code('LA6705-3', 'Homozygous')
    : code('LA6706-1', 'Heterozygous');
}

const ASSEMBLY_ANSWER: Readonly<Record<Assembly, { code: string; display: string }>> = {
  GRCh37: { code: 'LA14029-5', display: 'GRCh37' },
  GRCh38: { code: 'LA26806-2', display: 'GRCh38' },
};

// ClinVar CLNSIG terms to LOINC answer list LL4034-6 (clinical significance).
const CLINICAL_SIGNIFICANCE: Readonly<Record<string, { code: string; display: string }>> = {
  pathogenic: { code: 'LA6668-3', display: 'Pathogenic' },
  likely_pathogenic: { code: 'LA26332-9', display: 'Likely pathogenic' },
  uncertain_significance: { code: 'LA26333-7', display: 'Uncertain significance' },
  likely_benign: { code: 'LA26334-5', display: 'Likely benign' },
  benign: { code: 'LA6675-8', display: 'Benign' },
};

function loinc(code: string, display: string): CodeableConcept {
  return { coding: [{ system: LOINC, code, display }] };
}

function variantObservation(
  record: VcfRecord,
  allele: number,
  sampleName: string | undefined,
  state: CodeableConcept | undefined,
  context: Context,
  options: VcfConvertOptions,
  skip: (note: string) => void,
): Resource | undefined {
  const alt = record.alts[allele - 1] ?? '';
  if (!/^[ACGTNacgtn]+$/.test(alt)) {
    skip(alt === '*' ? 'overlapping deletion allele ("*")' : 'symbolic or breakend ALT allele');
    return undefined;
  }
  const component: Record<string, unknown>[] = [];
  if (context.assembly !== undefined) {
    const answer = ASSEMBLY_ANSWER[context.assembly];
    component.push({
      code: loinc('62374-4', 'Human reference sequence assembly version'),
      valueCodeableConcept: loinc(answer.code, answer.display),
    });
  }
  const accession =
    context.assembly === undefined ? undefined : refSeqAccession(context.assembly, record.chrom);
  component.push({
    code: loinc('48013-7', 'Genomic reference sequence ID'),
    valueCodeableConcept:
      accession === undefined
        ? { text: record.chrom }
        : {
            coding: [{ system: 'http://www.ncbi.nlm.nih.gov/nuccore', code: accession }],
            text: record.chrom,
          },
  });
  component.push({
    code: loinc('92822-6', 'Genomic coordinate system'),
    valueCodeableConcept: loinc('LA30102-0', '1-based character counting'),
  });
  component.push({
    code: loinc('81254-5', 'Genomic allele start-end'),
    valueRange: { low: { value: record.pos }, high: { value: record.pos + record.ref.length - 1 } },
  });
  component.push({ code: loinc('69547-8', 'Genomic ref allele [ID]'), valueString: record.ref });
  component.push({ code: loinc('69551-0', 'Genomic alt allele [ID]'), valueString: alt });
  if (state !== undefined)
    component.push({ code: loinc('53034-5', 'Allelic state'), valueCodeableConcept: state });
  const gene = geneConcept(record, alt);
  if (gene !== undefined)
    component.push({ code: loinc('48018-6', 'Gene studied [ID]'), valueCodeableConcept: gene });
  for (const rsid of record.ids.filter((id) => /^rs\d+$/.test(id))) {
    component.push({
      code: loinc('81255-2', 'dbSNP [ID]'),
      valueCodeableConcept: {
        coding: [{ system: 'http://www.ncbi.nlm.nih.gov/projects/SNP', code: rsid }],
      },
    });
  }
  const significance = record.info.get('CLNSIG');
  if (typeof significance === 'string' && significance !== '.') {
    const term = significance.split(/[,|]/)[0] ?? '';
    const answer = CLINICAL_SIGNIFICANCE[term.toLowerCase()];
    const text = term.replaceAll('_', ' ');
    component.push({
      code: loinc('53037-8', 'Genetic variation clinical significance [Imp]'),
      valueCodeableConcept:
        answer === undefined ? { text } : { ...loinc(answer.code, answer.display), text },
    });
  }
  const observation: Resource = {
    resourceType: 'Observation',
    id: deterministicUuid(
      'aegle-vcf',
      context.headerHash,
      record.chrom,
      record.pos,
      record.ref,
      alt,
      sampleName ?? '',
    ),
    status: 'final',
    category: [
      {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/observation-category',
            code: 'laboratory',
            display: 'Laboratory',
          },
        ],
      },
    ],
    code: loinc('69548-6', 'Genetic variant assessment'),
  };
  if (options.subject !== undefined) observation.subject = options.subject;
  observation.valueCodeableConcept = loinc('LA9633-4', 'Present');
  if (sampleName !== undefined) observation.specimen = { display: `VCF sample ${sampleName}` };
  observation.component = component;
  return observation;
}

/** The gene from GENEINFO (symbol:NCBI gene id) or else SnpEff's ANN for this allele. */
function geneConcept(record: VcfRecord, alt: string): CodeableConcept | undefined {
  const geneInfo = record.info.get('GENEINFO');
  if (typeof geneInfo === 'string') {
    const [symbol = '', geneId = ''] = (geneInfo.split('|')[0] ?? '').split(':');
    if (symbol !== '' && /^\d+$/.test(geneId)) {
      return {
        coding: [{ system: 'http://www.ncbi.nlm.nih.gov/gene', code: geneId, display: symbol }],
        text: symbol,
      };
    }
  }
  const annotation = record.info.get('ANN');
  if (typeof annotation === 'string') {
    for (const entry of annotation.split(',')) {
      const fields = entry.split('|');
      if (fields[0] === alt && fields[3] !== undefined && fields[3] !== '')
        return { text: fields[3] };
    }
  }
  return undefined;
}
