-- Optional gender alternation: candidates may say their gender, and an
-- election may fill its seats alternating women and men.
ALTER TABLE candidacies ADD COLUMN gender TEXT NOT NULL DEFAULT '';
ALTER TABLE elections ADD COLUMN alternation BOOLEAN NOT NULL DEFAULT FALSE;
