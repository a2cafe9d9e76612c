-- Elements, with the Wikidata item of each lanthanide for owl:sameAs.
SELECT symbol AS key, name, atomic_number, oxide_formula, element_class, class_source_id,
       wikidata_qid, source_id
FROM core.elements
ORDER BY atomic_number
