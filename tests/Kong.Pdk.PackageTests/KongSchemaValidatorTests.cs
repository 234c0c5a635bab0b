using Xunit;

namespace Kong.Pdk.PackageTests;

/// <summary>The validator must reject what Kong rejects, naming the offending path; otherwise the dump tests prove nothing.</summary>
public sealed class KongSchemaValidatorTests
{
    private static string Dump(string configFields, string phases = """["access"]""", string version = "\"1.0.0\"", string priority = "10", string schemaName = "\"p\"") => $$$"""
        {"Protocol":"MsgPack:1","Plugins":[{"Name":"p","Version":{{{version}}},"Priority":{{{priority}}},"Phases":{{{phases}}},
         "Schema":{"name":{{{schemaName}}},"fields":[{"config":{"type":"record","fields":[{{{configFields}}}]}}]}}]}
        """;

    private const string Config = "$.Plugins[0].Schema.fields[0].config.fields";

    [Fact]
    public void Validator_TheWorkedExampleOfKongProtocol_Passes()
    {
        KongDumpInfo info = KongSchemaValidator.ValidateDump(Dump("""
            { "message":  { "type": "string", "required": true, "default": "hello" } },
            { "count":    { "type": "integer", "default": 3, "between": [0, 100] } },
            { "ratio":    { "type": "number" } },
            { "tags":     { "type": "array", "elements": { "type": "string" }, "default": [] } },
            { "headers":  { "type": "map", "keys": { "type": "string" }, "values": { "type": "string" } } },
            { "mode":     { "type": "string", "one_of": ["fast", "safe"], "default": "safe" } },
            { "upstream": { "type": "record", "required": true, "fields": [
                { "host": { "type": "string", "required": true, "default": "localhost" } },
                { "port": { "type": "integer", "default": 443, "between": [1, 65535] } } ] } }
            """, phases: """["access","log"]"""), ["access", "log"]);

        Assert.Equal("p", info.Name);
        Assert.Equal(7, info.ConfigFields.GetArrayLength());
    }

    [Theory]
    [InlineData("""{ "a": { "type": "string", "default": null } }""", Config + "[0].a.default: JSON null")]
    [InlineData("""{ "a": { "type": "text" } }""", Config + "[0].a.type: must be one of")]
    [InlineData("""{ "a": { "default": 1 } }""", Config + "[0].a.type: must be one of")]
    [InlineData("""{ "a": { "type": "array" } }""", Config + "[0].a: a array field needs 'elements'")]
    [InlineData("""{ "a": { "type": "set", "elements": { "type": "string" }, "default": ["x", "x"] } }""", Config + "[0].a.default[1]: \"x\" appears twice")]
    [InlineData("""{ "a": { "type": "map", "values": { "type": "string" } } }""", Config + "[0].a: a map field needs 'keys'")]
    [InlineData("""{ "a": { "type": "record" } }""", Config + "[0].a: a record field needs 'fields'")]
    [InlineData("""{ "a": { "type": "record", "fields": [ { "b": { "type": "integer", "between": [1, 2], "default": 3 } } ] } }""", Config + "[0].a.fields[0].b.default: 3 is outside between [1, 2]")]
    [InlineData("""{ "a": { "type": "string", "description": "too short" } }""", Config + "[0].a.description: must be a string of 10–500 characters, got 9 characters")]
    [InlineData("""{ "a": { "type": "boolean", "one_of": [true] } }""", Config + "[0].a.one_of: only allowed on string, number and integer")]
    [InlineData("""{ "a": { "type": "string", "between": [1, 2] } }""", Config + "[0].a.between: only allowed on integer and number")]
    [InlineData("""{ "a": { "type": "integer", "default": 1.5 } }""", Config + "[0].a.default: 1.5 is not a value of type integer")]
    [InlineData("""{ "a": { "type": "integer", "default": 7, "between": [1, 5] } }""", Config + "[0].a.default: 7 is outside between [1, 5]")]
    [InlineData("""{ "a": { "type": "string", "default": "z", "one_of": ["x", "y"] } }""", Config + "[0].a.default: \"z\" is not one of")]
    [InlineData("""{ "a": { "type": "array", "elements": { "type": "integer" }, "default": ["1"] } }""", Config + "[0].a.default[0]: \"1\" is not a value of type integer")]
    [InlineData("""{ "a": { "type": "string" }, "b": { "type": "string" } }""", Config + "[0]: a field must be a single-key object, has 2 keys")]
    [InlineData("""{ "a": { "type": "array", "elements": { "type": "record", "fields": { "b": { "type": "string" } } } } }""", Config + "[0].a.elements.fields: must be an array")]
    [InlineData("""{ "a": { "type": "string", "custom_validator": "x" } }""", Config + "[0].a.custom_validator: not a Kong field attribute")]
    // Kong rules of issue 10: implicit len_min = 1 on strings, defaults checked against all of their field's
    // validators, match* patterns that Lua accepts.
    [InlineData("""{ "a": { "type": "string", "default": "" } }""", Config + "[0].a.default: length 0 is below len_min 1 (implicit")]
    [InlineData("""{ "a": { "type": "array", "elements": { "type": "string" }, "default": ["x", ""] } }""", Config + "[0].a.default[1]: length 0 is below len_min 1")]
    [InlineData("""{ "a": { "type": "record", "fields": [ { "b": { "type": "string", "default": "" } } ] } }""", Config + "[0].a.fields[0].b.default: length 0 is below len_min 1")]
    [InlineData("""{ "a": { "type": "map", "keys": { "type": "string" }, "values": { "type": "integer" }, "default": { "": 1 } } }""", Config + "[0].a.default. (key): length 0 is below len_min 1")]
    [InlineData("""{ "a": { "type": "string", "match": "[a-" } }""", Config + "[0].a.match: not a valid Lua pattern (malformed pattern (missing ']'))")]
    [InlineData("""{ "a": { "type": "string", "not_match": "100%" } }""", Config + "[0].a.not_match: not a valid Lua pattern (malformed pattern (ends with '%'))")]
    [InlineData("""{ "a": { "type": "string", "match_all": [ { "pattern": "(%d" } ] } }""", Config + "[0].a.match_all[0].pattern: not a valid Lua pattern (unfinished capture)")]
    [InlineData("""{ "a": { "type": "string", "match_none": [ { "pattern": "%1" } ] } }""", Config + "[0].a.match_none[0].pattern: not a valid Lua pattern (invalid capture index")]
    [InlineData("""{ "a": { "type": "string", "match_any": { "patterns": [ "^a", "%f" ] } } }""", Config + "[0].a.match_any.patterns[1]: not a valid Lua pattern (missing '[' after '%f'")]
    [InlineData("""{ "a": { "type": "string", "match_any": [ "^a" ] } }""", Config + "[0].a.match_any: must be {\"patterns\"")]
    [InlineData("""{ "a": { "type": "string", "default": "v1.x", "match": "^v%d+%.%d+$" } }""", Config + "[0].a.default: \"v1.x\" does not match the match pattern")]
    [InlineData("""{ "a": { "type": "string", "default": "admin", "not_match": "^adm" } }""", Config + "[0].a.default: \"admin\" matches the not_match pattern")]
    [InlineData("""{ "a": { "type": "string", "default": "ab", "match_all": [ { "pattern": "^a" }, { "pattern": "c$", "err": "must end in c" } ] } }""", Config + "[0].a.default: \"ab\" does not match the match_all pattern \"c$\"")]
    [InlineData("""{ "a": { "type": "string", "default": "ab", "match_any": { "patterns": [ "^x", "^y" ] } } }""", Config + "[0].a.default: \"ab\" matches none of the match_any patterns")]
    [InlineData("""{ "a": { "type": "string", "default": "http://x", "starts_with": "https://" } }""", Config + "[0].a.default: \"http://x\" does not start with")]
    [InlineData("""{ "a": { "type": "string", "default": "root", "not_one_of": [ "root" ] } }""", Config + "[0].a.default: \"root\" is one of not_one_of")]
    [InlineData("""{ "a": { "type": "integer", "default": 2, "eq": 1 } }""", Config + "[0].a.default: 2 is not eq 1")]
    [InlineData("""{ "a": { "type": "string", "default": "abc", "len_eq": 2 } }""", Config + "[0].a.default: length 3 is not len_eq 2")]
    [InlineData("""{ "a": { "type": "array", "elements": { "type": "integer" }, "default": [1], "contains": 2 } }""", Config + "[0].a.default: [1] does not contain 2")]
    [InlineData("""{ "a": { "type": "array", "elements": { "type": "string", "match": "^%u" }, "default": ["Ok", "no"] } }""", Config + "[0].a.default[1]: \"no\" does not match the match pattern")]
    [InlineData("""{ "a": { "type": "map", "keys": { "type": "string", "match": "^%l+$" }, "values": { "type": "integer" }, "default": { "ok": 1, "No": 2 } } }""", Config + "[0].a.default.No (key): \"No\" does not match the match pattern")]
    [InlineData("""{ "a": { "type": "map", "keys": { "type": "string" }, "values": { "type": "integer", "between": [1, 5] }, "default": { "k": 9 } } }""", Config + "[0].a.default.k: 9 is outside between")]
    [InlineData("""{ "a": { "type": "map", "keys": { "type": "string", "one_of": ["x"] }, "values": { "type": "string", "len_max": 1 }, "default": { "x": "yy" } } }""", Config + "[0].a.default.x: length 2 is above len_max 1")]
    [InlineData("""{ "a": { "type": "array", "elements": { "type": "integer", "match": "^1" } } }""", Config + "[0].a.elements.match: must be a string on a string field (field is integer)")]
    [InlineData("""{ "a": { "type": "map", "keys": { "type": "string", "match": "[a-" }, "values": { "type": "string" } } }""", Config + "[0].a.keys.match: ")]
    [InlineData("""{ "a": { "type": "array", "elements": { "type": "array", "elements": { "type": "integer" }, "contains": 7 }, "default": [[7], [1]] } }""", Config + "[0].a.default[1]: [1] does not contain 7")]
    public void Validator_ABrokenField_FailsWithItsPath(string fields, string expected)
    {
        KongSchemaRuleException ex = Assert.Throws<KongSchemaRuleException>(() => KongSchemaValidator.ValidateDump(Dump(fields)));

        Assert.Contains(ex.Violations, v => v.StartsWith(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""["access","header_filter"]""", "1.0.0", "10", "p", "$.Plugins[0].Phases[1]: must be one of")]
    [InlineData("""["access"]""", "1.0", "10", "p", "$.Plugins[0].Version: must be a string \"x.y.z\"")]
    [InlineData("""["access"]""", "1.0.0", "10.5", "p", "$.Plugins[0].Priority: must be an integer")]
    [InlineData("""["access"]""", "1.0.0", "10", "q", "$.Plugins[0].Schema.name: must equal the plugin name")]
    [InlineData("""["log"]""", "1.0.0", "10", "p", "$.Plugins[0].Phases: must match the handlers [access]")]
    public void Validator_ABrokenPlugin_FailsWithItsPath(string phases, string version, string priority, string schemaName, string expected)
    {
        string json = Dump("""{ "a": { "type": "string" } }""", phases, $"\"{version}\"", priority, $"\"{schemaName}\"");

        KongSchemaRuleException ex = Assert.Throws<KongSchemaRuleException>(() => KongSchemaValidator.ValidateDump(json, ["access"]));

        Assert.Contains(ex.Violations, v => v.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Validator_TheBareArrayFormOrTwoPlugins_Fails()
    {
        Assert.Throws<KongSchemaRuleException>(() => KongSchemaValidator.ValidateDump("[]"));
        KongSchemaRuleException two = Assert.Throws<KongSchemaRuleException>(() => KongSchemaValidator.ValidateDump("""{"Protocol":"MsgPack:1","Plugins":[{},{}]}"""));
        Assert.Contains("$.Plugins: must hold exactly one plugin, holds 2", two.Violations);
        KongSchemaRuleException protocol = Assert.Throws<KongSchemaRuleException>(() => KongSchemaValidator.ValidateDump(Dump("").Replace("MsgPack:1", "ProtoBuf:1")));
        Assert.Contains("$.Protocol: must be the string \"MsgPack:1\"", protocol.Violations);
    }

    [Theory]
    [InlineData("""{ "a": { "type": "string", "default": "", "len_min": 0 } }""")]
    [InlineData("""{ "a": { "type": "array", "elements": { "type": "string", "len_min": 0 }, "default": [""] } }""")]
    [InlineData("""{ "a": { "type": "string", "default": "v1.2", "match": "^v%d+%.%d+$", "not_match": "%s", "starts_with": "v" } }""")]
    [InlineData("""{ "a": { "type": "string", "default": "(a)", "match_all": [ { "pattern": "%b()", "err": "balanced" }, { "pattern": "^[%(%w%)]+$" } ], "match_none": [ { "pattern": "%f[%w]x" } ], "match_any": { "patterns": [ "^%(", "z" ], "err": "x" } } }""")]
    [InlineData("""{ "a": { "type": "string", "match": "[]]", "not_match": "[^%]]-$" } }""")]
    [InlineData("""{ "a": { "type": "string", "match": "(a)%1()" } }""")]
    [InlineData("""{ "a": { "type": "integer", "default": 3, "eq": 3, "ne": 4, "not_one_of": [1, 2] } }""")]
    [InlineData("""{ "a": { "type": "map", "keys": { "type": "string", "match": "^%l+$", "len_max": 3 }, "values": { "type": "integer", "between": [1, 5] }, "default": { "ab": 1, "c": 5 } } }""")]
    [InlineData("""{ "a": { "type": "set", "elements": { "type": "string", "one_of": ["GET", "POST"], "len_min": 3 }, "default": ["GET"] } }""")]
    public void Validator_WhatKongAccepts_Passes(string fields)
    {
        KongSchemaValidator.ValidateDump(Dump(fields));
    }

    [Fact]
    public void ValidateConfig_ARecordWithoutRequired_IsRequiredAtEveryDepth()
    {
        const string schema = """
            {"name":"p","fields":[{"config":{"type":"record","fields":[
              {"up":{"type":"record","fields":[{"inner":{"type":"record","fields":[{"x":{"type":"integer"}}]}}]}},
              {"maybe":{"type":"record","required":false,"fields":[{"x":{"type":"integer"}}]}}]}}]}
            """;

        Assert.Contains("config.up: required field missing", KongSchemaValidator.ValidateConfig(schema, """{"maybe":null}"""));
        Assert.Contains("config.up: required field missing", KongSchemaValidator.ValidateConfig(schema, """{"up":null}"""));
        Assert.Contains("config.up.inner: required field missing", KongSchemaValidator.ValidateConfig(schema, """{"up":{}}"""));
        Assert.Empty(KongSchemaValidator.ValidateConfig(schema, """{"up":{"inner":{}},"maybe":null}"""));
        Assert.Empty(KongSchemaValidator.ValidateConfig(schema, """{"up":{"inner":{"x":1}}}"""));
    }

    [Fact]
    public void ValidateConfig_AnEmptyStringValue_IsRejectedUnlessLenMinIsZero()
    {
        const string schema = """
            {"name":"p","fields":[{"config":{"type":"record","fields":[{"a":{"type":"string"}},{"b":{"type":"string","len_min":0}}]}}]}
            """;

        Assert.Equal(["config.a: length 0 is below len_min 1 (implicit on every string field without len_min)"],
            KongSchemaValidator.ValidateConfig(schema, """{"a":"","b":""}"""));
    }

    [Fact]
    public void Validator_EntityChecks_MustNameExistingFields()
    {
        string Schema(string checks) => Dump("""{ "a": { "type": "string" } }, { "r": { "type": "record", "fields": [ { "b": { "type": "integer" } } ] } }""")
            .Replace("]}}]}}]}", "]}}],\"entity_checks\":" + checks + "}}]}");

        KongSchemaValidator.ValidateDump(Schema("""[{"at_least_one_of":["config.a","config.r.b"]},{"conditional":{"if_field":"config.a","if_match":{"eq":"x"},"then_field":"config.r.b","then_match":{"required":true}}}]"""));
        KongSchemaRuleException ex = Assert.Throws<KongSchemaRuleException>(() =>
            KongSchemaValidator.ValidateDump(Schema("""[{"only_one_of":["config.a","a"]},{"custom_entity_check":{}}]""")));
        Assert.Contains("$.Plugins[0].Schema.entity_checks[0].only_one_of: 'a' is not a field of the schema (config.<field>)", ex.Violations);
        Assert.Contains("$.Plugins[0].Schema.entity_checks[1]: 'custom_entity_check' is not an entity check Kong reads from JSON", ex.Violations);
    }

    [Fact]
    public void Validator_RecordEntityChecks_AreCheckedLikeKongsMetaschema()
    {
        string Schema(string checks) => Dump("""
            { "a": { "type": "string" } }, { "n": { "type": "integer" } }, { "s": { "type": "set", "elements": { "type": "string" } } },
            { "r": { "type": "record", "fields": [ { "b": { "type": "integer" } } ] } }
            """).Replace("]}}]}}]}", "]}}],\"entity_checks\":" + checks + "}}]}");

        KongSchemaValidator.ValidateDump(Schema("""
            [{"conditional":{"if_field":"config.a","if_match":{"one_of":["x","y"]},"then_field":"config.n","then_match":{"required":true,"between":[1,5]},"then_err":"because of %s"}},
             {"conditional":{"if_field":"config.a","if_match":{"eq":null},"then_field":"config.s","then_match":{"contains":"k","len_min":1}}},
             {"conditional_at_least_one_of":{"if_field":"config.n","if_match":{"gt":3},"then_at_least_one_of":["config.a","config.r.b"],
               "else_match":{"eq":0},"else_then_at_least_one_of":["config.s"],"else_then_err":"100%% of %s"}},
             {"mutually_exclusive_sets":{"set1":["config.a"],"set2":["config.n","config.r.b"]}}]
            """));

        KongSchemaRuleException ex = Assert.Throws<KongSchemaRuleException>(() => KongSchemaValidator.ValidateDump(Schema("""
            [{"conditional":{"if_field":"config.a","if_match":{"between":[1,2]},"then_field":"config.x","then_match":{"required":true},"then_err":"%d"}},
             {"conditional":{"if_field":"config.n","then_field":"config.a","then_match":{"eq":3,"description":"a description"}}},
             {"conditional_at_least_one_of":{"if_field":"config.n","if_match":{"gt":"3"},"then_at_least_one_of":[],"else_match":{"eq":1}}},
             {"mutually_exclusive_sets":{"set1":["config.a"],"set3":["config.n"]}}]
            """)));
        string[] expected =
        [
            "entity_checks[0].conditional.if_match.between: only allowed on integer and number, not on string",
            "entity_checks[0].conditional.then_field: \"config.x\" is not a field of the schema",
            "entity_checks[0].conditional.then_err: must be a string Lua's string.format can fill with one string",
            "entity_checks[1].conditional: needs 'if_match'",
            "entity_checks[1].conditional.then_match.eq: 3 is not a value of type string",
            "entity_checks[1].conditional.then_match.description: not a validator Kong applies in a condition",
            "entity_checks[2].conditional_at_least_one_of: else_match and else_then_at_least_one_of go together",
            "entity_checks[2].conditional_at_least_one_of.if_match.gt: must be a number",
            "entity_checks[2].conditional_at_least_one_of.then_at_least_one_of: must be a non-empty array of field names",
            "entity_checks[3].mutually_exclusive_sets.set3: not a key of mutually_exclusive_sets",
            "entity_checks[3].mutually_exclusive_sets: needs 'set2'",
        ];
        foreach (string violation in expected)
        {
            Assert.Contains(ex.Violations, v => v.StartsWith("$.Plugins[0].Schema." + violation, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Validator_MutuallyExclusiveSubsets_ShapeAndDefault_AreChecked()
    {
        KongSchemaValidator.ValidateDump(Dump("""
            { "a": { "type": "set", "elements": { "type": "string" }, "default": ["x", "free"], "mutually_exclusive_subsets": [["x", "y"], ["z"]] } }
            """));

        KongSchemaRuleException ex = Assert.Throws<KongSchemaRuleException>(() => KongSchemaValidator.ValidateDump(Dump("""
            { "a": { "type": "set", "elements": { "type": "string" }, "default": ["x", "z"], "mutually_exclusive_subsets": [["x", "y"], ["z"]] } },
            { "b": { "type": "string", "mutually_exclusive_subsets": [["x"], ["z"]] } },
            { "c": { "type": "array", "elements": { "type": "integer" }, "mutually_exclusive_subsets": [["x"], [1]] } }
            """)));
        Assert.Contains(ex.Violations, v => v.StartsWith(Config + "[0].a.default: [\"x\", \"z\"] holds values of 2 of the mutually_exclusive_subsets", StringComparison.Ordinal));
        Assert.Contains(ex.Violations, v => v.StartsWith(Config + "[1].b.mutually_exclusive_subsets: must be an array of arrays of strings on an array or set field", StringComparison.Ordinal));
        Assert.Contains(ex.Violations, v => v.StartsWith(Config + "[2].c.mutually_exclusive_subsets: must be an array of arrays of strings", StringComparison.Ordinal));
    }

    [Fact]
    public void Validator_Restrictions_AreForeignFieldsThatMustBeNull()
    {
        string Schema(string restriction) => Dump("""{ "a": { "type": "string" } }""")
            .Replace("\"fields\":[{\"config\"", "\"fields\":[" + restriction + ",{\"config\"");

        KongSchemaValidator.ValidateDump(Schema("""{"consumer":{"type":"foreign","reference":"consumers","eq":null}},{"route":{"type":"foreign","reference":"routes","eq":null}}"""));
        foreach (string bad in (string[])[
            """{"consumer":{"type":"foreign","reference":"routes","eq":null}}""",
            """{"consumer":{"type":"foreign","reference":"consumers"}}""",
            """{"service":{"type":"string","eq":null}}""",
            """{"service":{"type":"foreign","reference":"services","eq":null,"default":1}}""",
        ])
        {
            KongSchemaRuleException ex = Assert.Throws<KongSchemaRuleException>(() => KongSchemaValidator.ValidateDump(Schema(bad)));
            Assert.Contains(ex.Violations, v => v.Contains("must be {\"type\": \"foreign\"", StringComparison.Ordinal));
        }

        // null stays rejected elsewhere
        Assert.Throws<KongSchemaRuleException>(() => KongSchemaValidator.ValidateDump(Schema("""{"consumer":{"type":"foreign","reference":"consumers","eq":null,"description":null}}""")));
    }

    [Fact]
    public void Validator_DaoAttributes_AreCheckedLikeTheMetaschema()
    {
        KongSchemaValidator.ValidateDump(Dump("""{ "a": { "type": "string", "unique": true, "unique_across_ws": true, "auto": true, "transient": true } }"""));
        KongSchemaRuleException ex = Assert.Throws<KongSchemaRuleException>(() => KongSchemaValidator.ValidateDump(Dump("""
            { "a": { "type": "boolean", "unique": true } }, { "b": { "type": "string", "unique_across_ws": true } }, { "c": { "type": "map", "keys": { "type": "string" }, "values": { "type": "string" }, "transient": true } }
            """)));
        Assert.Contains(Config + "[0].a.unique: not allowed on a boolean field", ex.Violations);
        Assert.Contains(Config + "[1].b.unique_across_ws: needs \"unique\": true", ex.Violations);
        Assert.Contains(Config + "[2].c.transient: not allowed on a map field", ex.Violations);
    }
}
