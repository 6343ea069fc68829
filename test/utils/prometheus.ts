import parsePrometheusTextFormat, { PrometheusFamily, PrometheusSample } from 'parse-prometheus-text-format';

/** A Prometheus text answer, parsed by a Prometheus text parser (which throws on a malformed line). */
export class ScrapedMetrics {
  readonly families: PrometheusFamily[];
  /**
   * The same text with the histograms' TYPE lines left out: the parser folds every label set of a histogram
   * into one sample, while their `_bucket`, `_sum` and `_count` series, read as untyped, keep their labels.
   */
  private readonly series: PrometheusFamily[];

  constructor(readonly text: string) {
    this.families = parsePrometheusTextFormat(text);
    const histograms = new Set(this.families.filter((f) => f.type === 'HISTOGRAM').map((f) => f.name));
    this.series = parsePrometheusTextFormat(
      text
        .split('\n')
        .filter((line) => !(line.startsWith('# TYPE ') && histograms.has(line.split(' ')[2])))
        .join('\n'),
    );
  }

  family(name: string): PrometheusFamily {
    const found = this.families.find((candidate) => candidate.name === name);
    if (!found) throw new Error(`no metric ${name}`);
    return found;
  }

  /** The samples of one series (`name`, or a histogram's `name_count` ...), each with its labels. */
  samples(name: string): PrometheusSample[] {
    return this.series.filter((candidate) => candidate.name === name).flatMap((entry) => entry.metrics);
  }

  /** The value of the sample of `name` whose labels include `labels`; 0 when there is none. */
  value(name: string, labels: Record<string, string> = {}): number {
    const sample = this.samples(name).find((metric) =>
      Object.entries(labels).every(([key, value]) => metric.labels?.[key] === value),
    );
    return sample ? Number(sample.value) : 0;
  }

  /** Every label value of every series. */
  labelValues(): string[] {
    return this.series.flatMap((entry) =>
      entry.metrics.flatMap((metric) => Object.values(metric.labels ?? {})),
    );
  }
}
