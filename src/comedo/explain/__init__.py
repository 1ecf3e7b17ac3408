"""What the analysis means for the person: their answers, triage as codes, the reason texts, advice and the
plain-language description. Rules only; nothing here measures pixels."""
