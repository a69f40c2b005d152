// Compile every schema in a directory under ajv (draft 2020-12) in strict mode, and
// optionally validate a corpus of requests against index.json, in one process.
//
//   node check.js SCHEMA_DIR [CORPUS_FILE]
//
// CORPUS_FILE holds one JSON request per line. Prints one JSON object on stdout:
//   {"ajv": version, "compiled": [file names], "errors": {file: message},
//    "warnings": [messages], "valid": [true|false per corpus line]}
// Exit status 0 unless the arguments or the files cannot be read.
"use strict";

const fs = require("fs");
const path = require("path");
const Ajv2020 = require("ajv/dist/2020").default;

const [schemaDir, corpusFile] = process.argv.slice(2);
if (!schemaDir) {
  process.stderr.write("usage: node check.js SCHEMA_DIR [CORPUS_FILE]\n");
  process.exit(2);
}

// Strict mode throws on what it forbids; anything it only logs is collected and
// reported too, so nothing is waved through.
const warnings = [];
const collect = (...args) => warnings.push(args.map(String).join(" "));
const ajv = new Ajv2020({
  strict: true,
  allErrors: false,
  logger: { log: collect, warn: collect, error: collect },
});

const files = fs
  .readdirSync(schemaDir)
  .filter((name) => name.endsWith(".json"))
  .sort();
const message = (error) => String(error && error.message ? error.message : error);
const documents = {};
const errors = {};
for (const name of files) {
  try {
    documents[name] = JSON.parse(fs.readFileSync(path.join(schemaDir, name), "utf8"));
    ajv.addSchema(documents[name]);
  } catch (error) {
    errors[name] = message(error);
  }
}

const compiled = [];
const validators = {};
for (const name of files) {
  if (name in errors) continue;
  try {
    validators[name] = ajv.getSchema(documents[name].$id);
    if (!validators[name]) throw new Error(`no schema registered for ${documents[name].$id}`);
    compiled.push(name);
  } catch (error) {
    errors[name] = message(error);
  }
}

const valid = [];
if (corpusFile) {
  const check = validators["index.json"];
  const lines = fs.readFileSync(corpusFile, "utf8").split("\n");
  for (const line of lines) {
    if (!line.trim()) continue;
    valid.push(check ? Boolean(check(JSON.parse(line))) : null);
  }
}

process.stdout.write(
  JSON.stringify({ ajv: require("ajv/package.json").version, compiled, errors, warnings, valid }) +
    "\n",
);
