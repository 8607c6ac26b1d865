// Validates CSAF 2.0 documents offline with @secvisogram/csaf-validator-lib: both JSON schema tests (csaf_2_0 and
// csaf_2_0_strict) and every mandatory test 6.1.x the library exports. None of these touches the network (only the
// informative tests 6.3.x do, and they are not run).
// Usage: node validate.mjs FILE...   Prints "ok FILE" or the failures; exits 0 if all pass, 1 if any fails, 2 on misuse.
import { readFile } from 'node:fs/promises'
import validateStrict from '@secvisogram/csaf-validator-lib/validateStrict.js'
import * as schema from '@secvisogram/csaf-validator-lib/schemaTests.js'
import * as mandatory from '@secvisogram/csaf-validator-lib/mandatoryTests.js'

const tests = [schema.csaf_2_0, schema.csaf_2_0_strict, ...Object.values(mandatory)]

// Guard against a library layout change that would silently run fewer tests (2.0.10 exports 43 mandatory tests).
const MIN_MANDATORY = 43

async function check(file) {
  let doc
  try {
    doc = JSON.parse(await readFile(file, 'utf8'))
  } catch (e) {
    return [`cannot read as JSON: ${e.message}`]
  }
  const problems = []
  let result
  try {
    result = await validateStrict(tests, doc)
  } catch (e) {
    return [`the validator threw: ${e.stack ?? e}`]
  }
  for (const t of result.tests) {
    if (t.isValid) continue
    if (t.errors.length === 0) problems.push(`${t.name}: failed without a message`)
    for (const e of t.errors) problems.push(`${t.name}: ${e.instancePath || '/'} ${e.message}`)
  }
  if (!result.isValid && problems.length === 0) problems.push('invalid, no test named the problem')
  return problems
}

async function main(files) {
  if (files.length === 0 || files.some((f) => f.startsWith('-'))) {
    console.error('usage: node validate.mjs FILE...')
    return 2
  }
  const nmandatory = Object.keys(mandatory).length
  if (nmandatory < MIN_MANDATORY) {
    console.error(`validate.mjs: only ${nmandatory} mandatory tests found, expected at least ${MIN_MANDATORY}`)
    return 1
  }
  let failed = 0
  for (const file of files) {
    const problems = await check(file)
    if (problems.length === 0) {
      console.log(`ok ${file}`)
      continue
    }
    failed++
    console.log(`FAIL ${file}`)
    for (const p of problems) console.log(`  ${p}`)
  }
  console.log(
    `${files.length - failed}/${files.length} valid (schema: csaf_2_0, csaf_2_0_strict; ${nmandatory} mandatory tests)`
  )
  return failed ? 1 : 0
}

process.exitCode = await main(process.argv.slice(2))
