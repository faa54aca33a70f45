// VCF (/work/shared/fixtures/vcf) → Genomics Reporting "variant" Observations. The expected
// variants are read from each file with a few lines of splitting, independently of parse-vcf.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { VcfParseError } from '../errors.ts';
import type { Resource } from '../fhir-types.ts';
import { assertValidFhir, at, fixture } from '../test-support.ts';
import { convertVcf, streamVcfObservations } from './convert-vcf.ts';

type Variant = [
  chrom: string,
  pos: number,
  ref: string,
  alt: string,
  sample: string,
  state: string,
];

const STATE: Record<string, string> = {
  'LA6705-3': 'homozygous',
  'LA6706-1': 'heterozygous',
  'LA6707-9': 'hemizygous',
  'LA6704-6': 'homoplasmic',
};

/** One tuple per sample and ALT allele in the sample's GT, for plain-base ALT alleles. */
function expectedVariants(text: string): Variant[] {
  const lines = text.split(/\r?\n/).filter((line) => line !== '');
  const header = lines.find((line) => line.startsWith('#CHROM'))?.split('\t') ?? [];
  const samples = header.slice(9);
  const variants: Variant[] = [];
  for (const line of lines.filter((l) => !l.startsWith('#'))) {
    const columns = line.split('\t');
    const [chrom = '', pos = '', , ref = '', altText = ''] = columns;
    const alts = altText === '.' ? [] : altText.split(',');
    const gtIndex = (columns[8] ?? '').split(':').indexOf('GT');
    samples.forEach((sample, index) => {
      const gt = (columns[9 + index] ?? '').split(':')[gtIndex] ?? '.';
      const alleles = gt.split(/[/|]/);
      for (const allele of new Set(alleles)) {
        if (allele === '.' || allele === '0') continue;
        const alt = alts[Number(allele) - 1] ?? '';
        if (!/^[ACGTN]+$/i.test(alt)) continue;
        const state =
          alleles.length === 1
            ? /^(chr)?mt?$/i.test(chrom)
              ? 'homoplasmic'
              : 'hemizygous'
            : alleles.every((a) => a === allele)
              ? 'homozygous'
              : 'heterozygous';
        variants.push([chrom, Number(pos), ref, alt, sample, state]);
      }
    });
  }
  return variants;
}

function component(observation: Resource, loinc: string): Record<string, unknown> | undefined {
  return (observation.component as Record<string, unknown>[]).find(
    (c) => at(c, 'code', 'coding', 0, 'code') === loinc,
  );
}

function describeObservation(o: Resource): Variant {
  const range = component(o, '81254-5')?.valueRange;
  const state = at(component(o, '53034-5'), 'valueCodeableConcept', 'coding', 0, 'code');
  return [
    String(at(component(o, '48013-7'), 'valueCodeableConcept', 'text')),
    Number(at(range, 'low', 'value')),
    String(component(o, '69547-8')?.valueString),
    String(component(o, '69551-0')?.valueString),
    String(at(o, 'specimen', 'display')).replace('VCF sample ', ''),
    STATE[String(state)] ?? String(state),
  ];
}

describe('convertVcf on every fixture', () => {
  const files: [string, number, string | undefined][] = [
    ['NB6TK328_filtered.vcf', 5, 'GRCh38'],
    ['vcf_example3.vcf', 10, 'GRCh37'],
    ['vcf_file.vcf', 34, 'GRCh37'],
  ];
  for (const [file, count, assembly] of files) {
    test(`${file}: CHROM, POS, REF, ALT, sample and allelic state of every called variant`, async () => {
      const text = fixture(`vcf/${file}`).toString('utf8');
      const expected = expectedVariants(text);
      assert.equal(expected.length, count);
      const result = await convertVcf(fixture(`vcf/${file}`), { file });
      assertValidFhir(result.bundle);
      const observations = result.bundle.entry.map((entry) => entry.resource);
      for (const o of observations) assertValidFhir(o);
      assert.deepEqual(observations.map(describeObservation), expected);
      for (const o of observations) {
        assert.equal(at(o, 'code', 'coding', 0, 'code'), '69548-6');
        assert.equal(at(o, 'valueCodeableConcept', 'coding', 0, 'code'), 'LA9633-4');
        assert.equal(
          at(component(o, '62374-4'), 'valueCodeableConcept', 'coding', 0, 'display'),
          assembly,
        );
        // The end of the REF allele, 1-based inclusive.
        const range = component(o, '81254-5')?.valueRange;
        const ref = String(component(o, '69547-8')?.valueString);
        assert.equal(
          at(range, 'high', 'value'),
          Number(at(range, 'low', 'value')) + ref.length - 1,
        );
      }
      // Same file, same ids.
      const again = await convertVcf(fixture(`vcf/${file}`), { file });
      assert.deepEqual(
        again.bundle.entry.map((entry) => entry.fullUrl),
        result.bundle.entry.map((entry) => entry.fullUrl),
      );
    });
  }

  test('NB6TK328: dbSNP ids, ClinVar significance, genes and RefSeq accessions', async () => {
    const result = await convertVcf(fixture('vcf/NB6TK328_filtered.vcf'));
    const first = result.bundle.entry[0]?.resource as Resource;
    // chr5 112841059 rs459552;21030 T A ... GENEINFO / ANN name APC
    assert.deepEqual(at(component(first, '48013-7'), 'valueCodeableConcept', 'coding', 0), {
      system: 'http://www.ncbi.nlm.nih.gov/nuccore',
      code: 'NC_000005.10',
    });
    assert.deepEqual(at(component(first, '81255-2'), 'valueCodeableConcept', 'coding', 0), {
      system: 'http://www.ncbi.nlm.nih.gov/projects/SNP',
      code: 'rs459552',
    });
    const line = fixture('vcf/NB6TK328_filtered.vcf')
      .toString('utf8')
      .split('\n')
      .find((l) => l.startsWith('chr5\t112841059'));
    const clnsig = /CLNSIG=([^;\t]+)/.exec(line ?? '')?.[1];
    assert.ok(clnsig);
    assert.equal(
      at(component(first, '53037-8'), 'valueCodeableConcept', 'text'),
      (clnsig.split(/[,|]/)[0] ?? '').replaceAll('_', ' '),
    );
    const gene = /GENEINFO=([^:;]+)/.exec(line ?? '')?.[1];
    assert.equal(at(component(first, '48018-6'), 'valueCodeableConcept', 'text'), gene);
  });

  test('skipped records and alleles are counted, not dropped silently', async () => {
    const result = await convertVcf(fixture('vcf/vcf_file.vcf'));
    assert.deepEqual(result.skipped.sort(), [
      'record without ALT allele (".") ×1',
      'reference-only genotype (no ALT allele called) ×1',
    ]);
    const example3 = await convertVcf(fixture('vcf/vcf_example3.vcf'));
    assert.ok(example3.skipped.includes('symbolic or breakend ALT allele ×2'));
  });
});

describe('streaming and compressed input', () => {
  test('1-byte chunks and a gzip (BGZF-like multi-member) stream give the same Observations', async () => {
    const bytes = fixture('vcf/vcf_file.vcf');
    const whole = await convertVcf(bytes);
    const chunks = function* () {
      for (let offset = 0; offset < bytes.length; offset += 7)
        yield bytes.subarray(offset, offset + 7);
    };
    const streamed: Resource[] = [];
    for await (const o of streamVcfObservations(chunks())) streamed.push(o);
    assert.deepEqual(
      streamed,
      whole.bundle.entry.map((entry) => entry.resource),
    );
    const half = Math.floor(bytes.length / 2);
    const gz = Buffer.concat([gzipSync(bytes.subarray(0, half)), gzipSync(bytes.subarray(half))]);
    const unzipped = await convertVcf(gz);
    assert.deepEqual(unzipped.bundle, whole.bundle);
  });

  test('a sample filter keeps one person of a multi-sample file', async () => {
    const result = await convertVcf(fixture('vcf/vcf_file.vcf'), { samples: ['B'] });
    const samples = new Set(result.bundle.entry.map((e) => at(e.resource, 'specimen', 'display')));
    assert.deepEqual([...samples], ['VCF sample B']);
    await assert.rejects(
      convertVcf(fixture('vcf/vcf_file.vcf'), { samples: ['C'] }),
      (error: unknown) => error instanceof VcfParseError && error.entry === 'header',
    );
  });
});

describe('truncated and broken VCF', () => {
  const text = fixture('vcf/NB6TK328_filtered.vcf').toString('utf8');
  const lines = text.split('\n');
  const lastRecord = lines.length - 2; // the file ends with a line break

  test('cut inside the last record: VcfParseError naming the line, and no Observations', async () => {
    // Inside INFO (too few columns), inside FORMAT, and inside the sample column after GT:AD
    // (fewer values than FORMAT names). A cut inside the last value itself cannot be told from
    // a complete record that lacks its final line break (docs/FHIR.md, "VCF").
    const lastTab = text.lastIndexOf('\t');
    const cutPoints = [text.length - 300, lastTab - 3, lastTab + 8];
    for (const cut of cutPoints) {
      const emitted: Resource[] = [];
      await assert.rejects(
        (async () => {
          for await (const o of streamVcfObservations(text.slice(0, cut), { file: 'g.vcf' }))
            emitted.push(o);
        })(),
        (error: unknown) => {
          assert.ok(error instanceof VcfParseError, String(cut));
          assert.equal(error.name, 'VcfParseError');
          assert.equal(error.entry, `line ${lastRecord + 1}`);
          assert.match(error.message, /^VCF file "g\.vcf" at line \d+: .*truncated/);
          assert.ok(error.hint);
          return true;
        },
      );
      // The whole-file form returns nothing on failure.
      await assert.rejects(convertVcf(text.slice(0, cut)), VcfParseError);
    }
  });

  test('cut in the header, a broken gzip stream, a bad GT, a bad first line', async () => {
    const cases: [string | Uint8Array, RegExp][] = [
      [lines.slice(0, 20).join('\n'), /ends before the #CHROM header line/],
      [gzipSync(Buffer.from(text)).subarray(0, 2000), /compressed .* cut short/],
      [text.replace('\t1/1:', '\t1/:'), /GT of sample 1 is malformed/],
      [`##fileformat=VCFv3.3\n${text}`, /first line is not ##fileformat=VCFv4/],
      ['', /empty/],
    ];
    for (const [input, reason] of cases) {
      await assert.rejects(convertVcf(input), (error: unknown) => {
        assert.ok(error instanceof VcfParseError, String(reason));
        assert.match(error.reason, reason);
        return true;
      });
    }
  });

  test('a last record merely without its final line break is accepted', async () => {
    // vcf_example3.vcf ends so, as its source wrote it.
    const bytes = fixture('vcf/vcf_example3.vcf');
    assert.notEqual(bytes.at(-1), 0x0a);
    const result = await convertVcf(bytes);
    assert.equal(result.bundle.entry.length, 10);
  });
});
