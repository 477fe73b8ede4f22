import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { recordBatches, type RecordBatch } from '../records/index.js';
import { DataProcessingError, recordProcessor, splitOutputs } from './index.js';

function batch(...records: string[]): RecordBatch {
  return { body: Buffer.from(records.join('\n')), records: records.map((r) => Buffer.from(r)), count: records.length };
}

const strings = (buffers: Buffer[]): string[] => buffers.map((b) => b.toString());

describe('recordProcessor', () => {
  it('is undefined when DataProcessing is absent or all defaults', () => {
    assert.equal(recordProcessor(undefined, {}), undefined);
    assert.equal(recordProcessor({}, {}), undefined);
    assert.equal(recordProcessor({ InputFilter: '$', OutputFilter: '$', JoinSource: 'None' }, { contentType: 'text/csv' }), undefined);
  });

  it('CSV: InputFilter drops the id column; JoinSource Input appends outputs to the original rows; OutputFilter picks columns', () => {
    const processor = recordProcessor({ InputFilter: '$[1:]', JoinSource: 'Input', OutputFilter: '$[0,-1]' }, { contentType: 'text/csv', accept: 'text/csv' });
    assert.ok(processor);
    const rows = batch('id1,1.5,2', 'id2,"a,b",3');
    assert.equal(processor.request(rows).toString(), '1.5,2\n"a,b",3');
    assert.deepEqual(strings(processor.response(rows, Buffer.from('0.25\n0.75\n'))), ['id1,0.25', 'id2,0.75']);
    const joinOnly = recordProcessor({ JoinSource: 'Input' }, { contentType: 'text/csv', accept: 'text/csv' });
    assert.deepEqual(strings(joinOnly!.response(rows, Buffer.from('0.25\r\n0.75'))), ['id1,1.5,2,0.25', 'id2,"a,b",3,0.75']);
    // without a filter on the request side the body goes as it is
    assert.equal(joinOnly!.request(rows), rows.body);
  });

  it('JSON lines: InputFilter selects features; the join adds SageMakerOutput to objects, wraps other values', () => {
    const processor = recordProcessor(
      { InputFilter: '$.features', JoinSource: 'Input', OutputFilter: "$['id','SageMakerOutput']" },
      { contentType: 'application/jsonlines', accept: 'application/jsonlines' },
    );
    const records = batch('{"id":1,"features":[1,2]}', '{"id":2,"features":[3,4]}');
    assert.equal(processor!.request(records).toString(), '[1,2]\n[3,4]');
    assert.deepEqual(strings(processor!.response(records, Buffer.from('{"score":0.1}\n{"score":0.9}\n'))), [
      '{"id":1,"SageMakerOutput":{"score":0.1}}',
      '{"id":2,"SageMakerOutput":{"score":0.9}}',
    ]);
    const wrap = recordProcessor({ JoinSource: 'Input' }, { contentType: 'application/json', accept: 'text/csv' });
    assert.deepEqual(strings(wrap!.response(batch('[1,2]', '[3,4]'), Buffer.from('0.5\n0.1,0.9\n'))), [
      '{"SageMakerInput":[1,2],"SageMakerOutput":0.5}',
      '{"SageMakerInput":[3,4],"SageMakerOutput":"0.1,0.9"}',
    ]);
  });

  it('OutputFilter alone applies to the model output; InputFilter alone returns the response whole', () => {
    const output = recordProcessor({ OutputFilter: '$.score' }, { accept: 'application/jsonlines' });
    assert.deepEqual(strings(output!.response(batch('a', 'b'), Buffer.from('{"score":1}\n{"score":2}'))), ['1', '2']);
    const input = recordProcessor({ InputFilter: '$[1:]' }, { contentType: 'text/csv' });
    const body = Buffer.from('0.1\n0.2\n');
    assert.deepEqual(input!.response(batch('x,1', 'y,2'), body), [body]);
  });

  it('sniffs CSV or JSON per record when the content types say neither', () => {
    const processor = recordProcessor({ InputFilter: '$[0]' }, {});
    assert.equal(processor!.request(batch('[5,6]', '7,8')).toString(), '5\n7');
  });

  it('splits a JSON predictions document when the model answers one document for the batch', () => {
    assert.deepEqual(splitOutputs('{"predictions":[{"score":1},{"score":2}]}', 2), ['{"score":1}', '{"score":2}']);
    assert.deepEqual(splitOutputs('[1,2,3]', 3), ['1', '2', '3']);
    assert.deepEqual(splitOutputs('', 0), []);
  });

  it('fails naming the cause: output count mismatch, bad JSON, a filter that does not fit the record', () => {
    const processor = recordProcessor({ JoinSource: 'Input' }, { contentType: 'text/csv', accept: 'text/csv' });
    assert.throws(
      () => processor!.response(batch('a,1', 'b,2', 'c,3'), Buffer.from('0.1\n0.2\n')),
      (e: unknown) => e instanceof DataProcessingError && /the model returned 2 output records for 3 input records/.test(e.message),
    );
    const json = recordProcessor({ InputFilter: '$.features' }, { contentType: 'application/jsonlines' });
    assert.throws(() => json!.request(batch('{"features":[1]}', 'not json')), /input record 2 of the batch is not valid JSON/);
    assert.throws(() => json!.request(batch('{"other":1}')), /InputFilter "\$.features" cannot be applied to record 1 of the batch: no member "features"/);
    const csv = recordProcessor({ OutputFilter: '$[9]' }, { contentType: 'text/csv', accept: 'text/csv' });
    assert.throws(() => csv!.response(batch('a'), Buffer.from('1,2')), /index 9 is outside the record's 2 elements/);
    assert.throws(() => recordProcessor({ InputFilter: '$..x' }, {}), DataProcessingError);
  });

  it('works on the batches recordBatches makes (records are the original lines)', async () => {
    async function* source(): AsyncGenerator<Buffer> {
      yield Buffer.from('r1,1,2\r\nr2,3,');
      yield Buffer.from('4\n\nr3,5,6\n');
    }
    const processor = recordProcessor({ InputFilter: '$[1:]', JoinSource: 'Input', OutputFilter: '$[0,-1]' }, { contentType: 'text/csv', accept: 'text/csv' });
    const outputs: string[] = [];
    for await (const b of recordBatches(source(), { splitType: 'Line', strategy: 'MultiRecord', maxPayloadBytes: 14 })) {
      const request = processor!.request(b).toString();
      const reply = request
        .split('\n')
        .map((row) => String(row.split(',').reduce((sum, v) => sum + Number(v), 0)))
        .join('\n');
      outputs.push(...strings(processor!.response(b, Buffer.from(reply))));
    }
    assert.deepEqual(outputs, ['r1,3', 'r2,7', 'r3,11']);
  });
});
