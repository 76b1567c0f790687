/** Idiomatic code of the scripting and data languages, written for Pairpad, that the engine learns continuations from. */
export const RUBY_CORPUS = String.raw`
require 'json'

class User
  attr_accessor :name, :age

  def initialize(name, age)
    @name = name
    @age = age
  end

  def to_s
    "#{@name} (#{@age})"
  end
end

users.each do |user|
  puts user.name
end
if __FILE__ == $0
  main
end
`;

export const SHELL_CORPUS = String.raw`
#!/usr/bin/env bash
set -euo pipefail

for file in "$@"; do
  if [ -f "$file" ]; then
    echo "$file"
  fi
done
while read -r line; do
  echo "$line"
done < input.txt
if [ -z "$1" ]; then
  echo "usage: $0 file" >&2
  exit 1
fi
`;

export const SQL_CORPUS = String.raw`
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);
SELECT id, name FROM users WHERE name LIKE 'a%' ORDER BY name ASC LIMIT 10;
SELECT COUNT(*) FROM users GROUP BY name HAVING COUNT(*) > 1;
INSERT INTO users (name) VALUES ('ada');
UPDATE users SET name = 'bob' WHERE id = 1;
DELETE FROM users WHERE id = 1;
SELECT u.name, o.total FROM users u LEFT JOIN orders o ON o.user_id = u.id;
`;

export const HTML_CORPUS = String.raw`<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Page</title>
  <link rel="stylesheet" href="style.css">
</head>
<body>
  <div class="container">
    <a href="/">Home</a>
  </div>
  <script src="main.js"></script>
</body>
</html>
`;

export const CSS_CORPUS = String.raw`
body {
  margin: 0;
  padding: 0;
  font-family: sans-serif;
}
.container {
  display: flex;
  justify-content: center;
  align-items: center;
  background-color: #fff;
}
`;

export const JSON_CORPUS = String.raw`{ "name": "example", "version": "1.0.0", "enabled": true, "items": [] }`;
