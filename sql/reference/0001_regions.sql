-- Reference data: the regions of the two source studies and their
-- federations of coordinated-care teams.  Codes are INSEE's (2016).
INSERT INTO msp.region (slug, name, insee_code) VALUES
    ('occitanie', 'Occitanie', '76'),
    ('pays-de-la-loire', 'Pays de la Loire', '52');

INSERT INTO msp.federation (slug, name, region_id)
SELECT v.slug, v.name, r.region_id
  FROM (VALUES
    -- names as the source studies give them
    ('fecop', 'Fécop', 'occitanie'),
    ('apmsl', 'APMSL — Association pour le développement de l''exercice '
              'coordonné pluriprofessionnel en Pays de la Loire',
     'pays-de-la-loire'))
       AS v (slug, name, region)
  JOIN msp.region r ON r.slug = v.region;
