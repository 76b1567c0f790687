/** Idiomatic code of the compiled languages, written for Pairpad, that the engine learns continuations from. */
export const C_CORPUS = String.raw`
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    for (int i = 0; i < argc; i++) {
        printf("%s\n", argv[i]);
    }
    char *buffer = malloc(size);
    if (buffer == NULL) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    memcpy(buffer, source, size);
    free(buffer);
    return 0;
}
`;

export const CPP_CORPUS = String.raw`
#include <iostream>
#include <string>
#include <vector>

namespace app {

class Widget {
public:
    explicit Widget(std::string name) : name_(std::move(name)) {}
    const std::string& name() const { return name_; }

private:
    std::string name_;
};

}  // namespace app

int main(int argc, char** argv) {
    std::vector<std::string> args(argv, argv + argc);
    for (const auto& arg : args) {
        std::cout << arg << std::endl;
    }
    auto widget = std::make_unique<app::Widget>("main");
    return 0;
}
`;

export const JAVA_CORPUS = String.raw`
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

public class Main {
    private final List<String> items = new ArrayList<>();

    public static void main(String[] args) {
        for (int i = 0; i < args.length; i++) {
            System.out.println(args[i]);
        }
        try {
            run(args);
        } catch (Exception e) {
            e.printStackTrace();
        }
    }

    @Override
    public String toString() {
        return "Main{" + items + "}";
    }
}
`;

export const CSHARP_CORPUS = String.raw`
using System;
using System.Collections.Generic;
using System.Linq;

namespace App
{
    public class Program
    {
        public static void Main(string[] args)
        {
            foreach (var arg in args)
            {
                Console.WriteLine(arg);
            }
            var items = new List<string>();
            try
            {
                items.Add(args[0]);
            }
            catch (Exception ex)
            {
                Console.WriteLine(ex.Message);
            }
        }

        public string Name { get; set; }
    }
}
`;

export const GO_CORPUS = String.raw`
package main

import (
	"fmt"
	"os"
	"strings"
)

type Server struct {
	Name string
}

func (s *Server) Start() error {
	return nil
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for i, arg := range os.Args {
		fmt.Println(i, strings.TrimSpace(arg))
	}
	result, err := compute()
	if err != nil {
		return fmt.Errorf("compute: %w", err)
	}
	defer file.Close()
}
`;

export const RUST_CORPUS = String.raw`
use std::collections::HashMap;
use std::fs;
use std::io::{self, Read};

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub name: String,
}

impl Config {
    pub fn new(name: &str) -> Self {
        Self { name: name.to_string() }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    for (i, arg) in args.iter().enumerate() {
        println!("{} {}", i, arg);
    }
    let mut map = HashMap::new();
    map.insert("key".to_string(), 1);
    match map.get("key") {
        Some(value) => println!("{}", value),
        None => {}
    }
    let text = fs::read_to_string("config.toml")?;
    Ok(())
}
`;

export const KOTLIN_CORPUS = String.raw`
package app

import kotlin.collections.List

data class User(val name: String, val age: Int)

fun main(args: Array<String>) {
    for (arg in args) {
        println(arg)
    }
    val users = mutableListOf<User>()
    users.forEach { user -> println(user.name) }
    when (args.size) {
        0 -> println("none")
        else -> println("some")
    }
}
`;

export const SWIFT_CORPUS = String.raw`
import Foundation

struct User {
    let name: String
    var age: Int
}

func greet(_ user: User) -> String {
    return "Hello, \(user.name)"
}

for user in users {
    print(user.name)
}
guard let value = optional else { return }
if let value = optional {
    print(value)
}
`;

export const PHP_CORPUS = String.raw`<?php
namespace App;

use App\Models\User;

class Controller
{
    private array $items = [];

    public function __construct(array $items)
    {
        $this->items = $items;
    }

    public function index(): array
    {
        foreach ($this->items as $key => $value) {
            echo $key . ': ' . $value;
        }
        return array_map(fn($item) => $item, $this->items);
    }
}
`;
